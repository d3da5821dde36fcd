//! Dates as people write them — `14/03/1991`, `14/03/91`, `14.03.1991`, `1991-03-14`, and on
//! request `03/14/1991` (English exports) or `91/03/14` — turned into the `YYYY-MM-DD` the model
//! stores; a workbook date that lost its format (`33311`) as the day it counts.

use chrono::{Datelike, NaiveDate};

/// The order of day, month and year in dates that are not ISO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// Day, month, year: `14/03/1991` (France; the default).
    #[default]
    Dmy,
    /// Year, month, day: `1991/03/14`, `91/03/14`.
    Ymd,
    /// Month, day, year: `03/14/1991` (what English-language spreadsheets export).
    Mdy,
}

impl std::str::FromStr for DateOrder {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, DateError> {
        match s.to_lowercase().as_str() {
            "dmy" | "dd/mm/yyyy" | "jj/mm/aaaa" => Ok(DateOrder::Dmy),
            "ymd" | "yyyy-mm-dd" | "aaaa-mm-jj" => Ok(DateOrder::Ymd),
            "mdy" | "mm/dd/yyyy" => Ok(DateOrder::Mdy),
            _ => Err(DateError::UnknownOrder),
        }
    }
}

/// Why a cell is not a date. The messages never repeat the cell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not three numbers separated by `/`, `-` or `.`.
    #[error("not a date: write it as DD/MM/YYYY or YYYY-MM-DD")]
    Shape,
    /// Three numbers, but no such day (31 February, month 13…).
    #[error("no such day in the calendar")]
    NoSuchDay,
    /// `--date-format` names no known order.
    #[error("unknown date format: use dmy (DD/MM/YYYY), mdy (MM/DD/YYYY) or ymd (YYYY/MM/DD)")]
    UnknownOrder,
}

/// A date cell in `YYYY-MM-DD`. A four-digit first number is always a year (ISO); two-digit
/// years are this century up to `today`'s year, the last century after it.
pub fn normalise_date(cell: &str, order: DateOrder, today: NaiveDate) -> Result<String, DateError> {
    let cell = cell.trim();
    // A date cell read from a workbook with a time of midnight, or an ISO date-time.
    let cell = cell.split_once([' ', 'T']).map_or(cell, |(d, _)| d);
    if let Some(day) = spreadsheet_serial(cell) {
        return Ok(day.format("%Y-%m-%d").to_string());
    }
    let parts: Vec<&str> = cell.split(['/', '-', '.']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(DateError::Shape);
    }
    // Which of the three numbers are the year, the month and the day.
    let (y, m, d) = match order {
        _ if parts[0].len() == 4 => (0, 1, 2),
        DateOrder::Ymd => (0, 1, 2),
        DateOrder::Dmy => (2, 1, 0),
        DateOrder::Mdy => (2, 0, 1),
    };
    let year_digits = parts[y].len();
    if parts[m].len() > 2 || parts[d].len() > 2 || (year_digits != 2 && year_digits != 4) {
        return Err(DateError::Shape);
    }
    let num = |s: &str| s.parse::<u32>().map_err(|_| DateError::Shape);
    let (y, m, d) = (num(parts[y])?, num(parts[m])?, num(parts[d])?);
    let year = if year_digits == 2 {
        let now = u32::try_from(today.year()).unwrap_or(2000);
        let century = now / 100 * 100;
        if century + y <= now {
            century + y
        } else {
            century - 100 + y
        }
    } else {
        y
    };
    let year = i32::try_from(year).map_err(|_| DateError::Shape)?;
    NaiveDate::from_ymd_opt(year, m, d)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .ok_or(DateError::NoSuchDay)
}

/// A date a spreadsheet stored as its serial number (days since 30 December 1899) and shows
/// as a number because the cell lost its date format: `33311` is 14 March 1991. Only five
/// digits count (1927 to 2173), so a year alone (`1991`) is never read as a day.
fn spreadsheet_serial(cell: &str) -> Option<NaiveDate> {
    if cell.len() != 5 || !cell.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let days: i64 = cell.parse().ok()?;
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(chrono::TimeDelta::try_days(days)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).expect("date")
    }

    #[test]
    fn dates_as_people_write_them() {
        let n = |s| normalise_date(s, DateOrder::Dmy, today());
        assert_eq!(n("14/03/1991").as_deref(), Ok("1991-03-14"));
        assert_eq!(n("4/3/1991").as_deref(), Ok("1991-03-04"));
        assert_eq!(n("14/03/91").as_deref(), Ok("1991-03-14"));
        assert_eq!(n("01/09/15").as_deref(), Ok("2015-09-01"));
        assert_eq!(n("14.03.1991").as_deref(), Ok("1991-03-14"));
        assert_eq!(n("1991-03-14").as_deref(), Ok("1991-03-14"));
        assert_eq!(n(" 1991-03-14 00:00:00").as_deref(), Ok("1991-03-14"));
        assert_eq!(n("31/02/1990"), Err(DateError::NoSuchDay));
        assert_eq!(n("mars 1991"), Err(DateError::Shape));
        assert_eq!(n("14/03/991"), Err(DateError::Shape));
        // A workbook date cell that lost its format shows its serial number.
        assert_eq!(n("33311").as_deref(), Ok("1991-03-14"));
        assert_eq!(n("46363").as_deref(), Ok("2026-12-07"));
        assert_eq!(n("1991"), Err(DateError::Shape));
        let y = |s| normalise_date(s, DateOrder::Ymd, today());
        assert_eq!(y("91/03/14").as_deref(), Ok("1991-03-14"));
        assert_eq!(y("1991/03/14").as_deref(), Ok("1991-03-14"));
        assert_eq!("dmy".parse(), Ok(DateOrder::Dmy));
        // English exports: month first.
        let m = |s| normalise_date(s, DateOrder::Mdy, today());
        assert_eq!(m("03/14/1991").as_deref(), Ok("1991-03-14"));
        assert_eq!(m("3/4/91").as_deref(), Ok("1991-03-04"));
        assert_eq!(m("1991-03-14").as_deref(), Ok("1991-03-14"));
        assert_eq!(m("14/03/1991"), Err(DateError::NoSuchDay));
        assert_eq!(n("03/14/1991"), Err(DateError::NoSuchDay));
        assert_eq!("MDY".parse(), Ok(DateOrder::Mdy));
        assert_eq!("mm/dd/yyyy".parse(), Ok(DateOrder::Mdy));
        assert_eq!("dym".parse::<DateOrder>(), Err(DateError::UnknownOrder));
    }
}
