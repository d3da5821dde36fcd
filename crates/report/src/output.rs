//! A report as text: an aligned table, JSON, or CSV (RFC 4180).

use serde_json::json;

use crate::{Cell, Report};

impl Report {
    /// The report as an aligned plain-text table.
    pub fn to_table(&self) -> String {
        let width = self
            .sections
            .iter()
            .flat_map(|s| s.rows.iter())
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = format!("Report from {} to {}\n", self.from, self.to);
        if self.suppress_below > 1 {
            out.push_str(&format!(
                "Counts of people from 1 to {} are shown as \"<{}\".\n",
                self.suppress_below - 1,
                self.suppress_below
            ));
        }
        for section in &self.sections {
            out.push('\n');
            out.push_str(&section.title);
            out.push('\n');
            for row in &section.rows {
                let pad = width - row.label.chars().count();
                out.push_str(&format!(
                    "  {}{}  {:>8}\n",
                    row.label,
                    " ".repeat(pad),
                    self.show(row.value)
                ));
            }
        }
        out
    }

    /// The report as JSON: period, threshold and sections; counts and means (one decimal) are
    /// numbers, suppressed cells the string "<5", unavailable means `null`.
    pub fn to_json(&self) -> serde_json::Value {
        let sections: Vec<serde_json::Value> = self
            .sections
            .iter()
            .map(|s| {
                let rows: Vec<serde_json::Value> = s
                    .rows
                    .iter()
                    .map(|r| {
                        let value = match r.value {
                            Cell::Count(n) => json!(n),
                            Cell::Suppressed => json!(self.show(r.value)),
                            Cell::Mean(m) => json!((m * 10.0).round() / 10.0),
                            Cell::NotApplicable => serde_json::Value::Null,
                        };
                        json!({ "label": r.label, "value": value })
                    })
                    .collect();
                json!({ "title": s.title, "rows": rows })
            })
            .collect();
        json!({
            "from": self.from.to_string(),
            "to": self.to.to_string(),
            "suppress_below": self.suppress_below,
            "sections": sections,
        })
    }

    /// The report as CSV with a `section,label,value` header, CRLF line ends and fields quoted
    /// as RFC 4180 asks (when they hold a comma, a double quote or a line break).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("section,label,value\r\n");
        for section in &self.sections {
            for row in &section.rows {
                out.push_str(&format!(
                    "{},{},{}\r\n",
                    csv_field(&section.title),
                    csv_field(&row.label),
                    csv_field(&self.show(row.value))
                ));
            }
        }
        out
    }
}

/// One CSV field, quoted (with inner quotes doubled) when RFC 4180 requires it.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Row, Section};
    use chrono::NaiveDate;

    fn sample() -> Report {
        let day = |m| NaiveDate::from_ymd_opt(2024, m, 1).unwrap_or_default();
        Report {
            from: day(1),
            to: day(12),
            suppress_below: 5,
            sections: vec![Section {
                title: "Project: A \"quoted\", title".into(),
                rows: vec![
                    Row {
                        label: "Sessions".into(),
                        value: Cell::Count(15),
                    },
                    Row {
                        label: "Distinct participants".into(),
                        value: Cell::Suppressed,
                    },
                    Row {
                        label: "Mean".into(),
                        value: Cell::Mean(10.867),
                    },
                    Row {
                        label: "Other mean".into(),
                        value: Cell::NotApplicable,
                    },
                ],
            }],
        }
    }

    #[test]
    fn csv_quotes_as_rfc_4180_asks() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        let csv = sample().to_csv();
        assert_eq!(
            csv,
            "section,label,value\r\n\
             \"Project: A \"\"quoted\"\", title\",Sessions,15\r\n\
             \"Project: A \"\"quoted\"\", title\",Distinct participants,<5\r\n\
             \"Project: A \"\"quoted\"\", title\",Mean,10.9\r\n\
             \"Project: A \"\"quoted\"\", title\",Other mean,n/a\r\n"
        );
    }

    #[test]
    fn json_and_table_show_cells() {
        let r = sample();
        let j = r.to_json();
        let rows = &j["sections"][0]["rows"];
        assert_eq!(rows[0]["value"], json!(15));
        assert_eq!(rows[1]["value"], json!("<5"));
        assert_eq!(rows[2]["value"], json!(10.9));
        assert_eq!(rows[3]["value"], serde_json::Value::Null);
        assert_eq!(j["suppress_below"], json!(5));
        let table = r.to_table();
        assert!(table.contains("Distinct participants        <5"), "{table}");
        assert!(table.contains("n/a"));
        assert!(table.contains("shown as \"<5\""));
    }
}
