//! No finding message holds a field value: a scenario breaking every rule, filled with
//! distinctive values, and a scan of every message for them.

use std::collections::BTreeSet;

use carnet_model::RecordKind::{
    Activity, Application, Assembly, Group, Mandate, Meeting, Member, Partner, Signature, Vote,
    Welfare,
};
use carnet_model::{FieldType, RecordKind, Snapshot, Value};
use carnet_rules::{Finding, Proposal, RuleId, check, todo};

use crate::support::*;

/// A member with every personal field filled with a distinctive value.
fn person(n: u32, status: &str) -> R {
    R::default()
        .text("display_name", &format!("Ọlámidé-Zéphyrine-{n}x7"))
        .text("status", status)
        .date("member_since", day(2019, 8, n))
        .set("working_groups", &[&format!("groupe-secret-{n}q")])
        .flag("speaks_french", false)
        .date("active_since", day(2024, 4, n))
        .date("last_contact", day(2025, 11, n))
        .text("first_name", &format!("Adaeze-{n}Qx"))
        .text("last_name", &format!("Nwachukwu-{n}Zk"))
        .date("date_of_birth", day(1991, 7, n))
        .text("nationality", &format!("nationalité-{n}w"))
        .text("phone", &format!("+33 6 12 34 5{n} 9{n}"))
        .text("address", &format!("{n} rue des Glycines-Vq\n75018"))
        .text("city", &format!("Montreuil-{n}p"))
        .text("immigration_status", &format!("titre-{n}-Rr"))
        .text("referring_organisation", &format!("asso-{n}-Tt"))
        .text("case_notes", &format!("notes confidentielles {n} Ww"))
}

fn scenario() -> (Snapshot, Vec<Proposal>) {
    let m = |i: u32| id(i);
    let p = |i: u32| id(400 + i);
    let t = |field: &str, s: &str| R::default().text(field, s);
    let mut s = S::default()
        // 1: active, silent, no mentor, no working group; 2: left; 3: expelled; 4: member; 5: active.
        .with(Member, &m(1), person(1, "active"))
        .with(
            Member,
            &m(2),
            person(2, "left").date("left_on", day(2025, 5, 13)),
        )
        .with(
            Member,
            &m(3),
            person(3, "expelled").date("left_on", day(2024, 2, 14)),
        )
        .with(Member, &m(4), person(4, "member"))
        .with(Member, &m(5), person(5, "active"))
        .with(
            Signature,
            &id(20),
            signature(&m(2), "member", day(2018, 1, 19))
                .text("version", "règlement-v-Xq3")
                .text("scan_location", "armoire-bleue-Pq"),
        )
        .with(
            Application,
            &id(21),
            application(&m(1), "accepted")
                .date("vote_on", day(2025, 10, 9))
                .text("card_number", "CARTE-77-Kk")
                .text("roots_report", "rapport des Roots Yy"),
        )
        .with(
            Group,
            &id(22),
            t("name", "Groupe-Médias-Hh")
                .text("area", "media")
                .text("minutes", "compte-rendu-Jj"),
        )
        .with(
            Activity,
            &id(23),
            activity(day(2025, 10, 21), &[&m(5)])
                .text("title", "Atelier-Histoire-Kw")
                .text("topic", "sujet-Lm")
                .text("venue", "Salle-Vincennes-Mv")
                .set("guests", &["invitée-Nn"])
                .text("excuses", "malade-Oo"),
        )
        .with(
            Welfare,
            &id(24),
            t("person", &m(5))
                .date("checked_on", day(2025, 10, 22))
                .text("outcome", "safe"),
        )
        .with(
            Assembly,
            &id(25),
            t("title", "Assemblée-printemps-Ii")
                .date("date", day(2025, 3, 29))
                .text("agenda", "ordre-du-jour-Uu")
                .text("minutes", "pv-Ss"),
        )
        // A prefet who left; three spokespersons; one board seat ending soon.
        .with(
            Mandate,
            &id(30),
            mandate("prefet", &m(2), day(2026, 1, 1), day(2026, 6, 30)),
        )
        .with(
            Mandate,
            &id(31),
            spokesperson(&m(1), day(2026, 1, 1), day(2026, 6, 30))
                .text("exposure_limits", "visage flouté-Bb"),
        )
        .with(
            Mandate,
            &id(32),
            spokesperson(&m(5), day(2026, 1, 1), day(2026, 6, 30))
                .text("exposure_limits", "voix seulement-Cc"),
        )
        .with(
            Mandate,
            &id(33),
            spokesperson(&m(4), day(2026, 1, 1), day(2026, 6, 30)),
        )
        .with(
            Mandate,
            &id(34),
            mandate("board", &m(4), day(2025, 4, 1), day(2026, 3, 20)),
        )
        .with(
            Vote,
            &id(35),
            vote("coalition-removal", "passed", day(2026, 2, 2))
                .text("title", "Exclusion-Org-Dd")
                .text("electorate", "organisations-Ee")
                .text("deliberation", "délibération-Ff")
                .text("subject_partner", &p(3)),
        )
        .with(
            Meeting,
            &id(36),
            t("title", "Réunion-coalition-Gg")
                .date("date", day(2025, 11, 12))
                .ids("attendance", &[&p(2)])
                .text("agenda", "agenda-Zz")
                .text("action_items", "actions-Aa"),
        );
    for i in 1..=3 {
        s = s.with(
            Partner,
            &p(i),
            partner("member")
                .text("name", &format!("Organisation-{i}-Oo"))
                .text("sector", &format!("secteur-{i}-Pp"))
                .text("public_contact", &format!("contact-{i}@exemple-Qq"))
                .set("relationship", &[&format!("relation-{i}-Rr")])
                .set("representatives", &[&format!("représentante-{i}-Ss")]),
        );
    }
    let proposals = vec![
        propose(Member, &m(6), person(6, "member")),
        propose(
            Member,
            &m(2),
            person(2, "member").date("left_on", day(2025, 5, 13)),
        ),
        propose(Member, &m(3), person(3, "member")),
        propose(Member, &m(4), person(4, "active")),
        propose(Member, &m(5), person(5, "member")),
        propose(
            Mandate,
            &id(40),
            mandate("prefet", &m(4), day(2026, 2, 1), day(2026, 12, 1)),
        ),
        propose(
            Mandate,
            &id(41),
            mandate("spokesperson", &m(1), day(2026, 3, 1), day(2026, 8, 31))
                .text("exposure_limits", "pas de nom-Tt"),
        ),
        propose(
            Mandate,
            &id(34),
            mandate("board", &m(4), day(2025, 4, 1), day(2026, 3, 20))
                .date("resigned_on", day(2026, 2, 27)),
        ),
        propose(
            Vote,
            &id(42),
            vote("coalition-decision", "passed", day(2026, 2, 3))
                .text("title", "Motion-secrète-Uu")
                .count("votes_for", 1)
                .count("votes_against", 1),
        ),
        propose(
            Partner,
            &id(43),
            partner("member").text("name", "Nouvelle-Org-Vv"),
        ),
        propose(
            Partner,
            &id(44),
            partner("member")
                .text("name", "Survivante-Ww")
                .flag("survivor_member", true),
        ),
        propose(
            Partner,
            &p(3),
            partner("removed").text("name", "Organisation-3-Oo"),
        ),
    ];
    (s.0, proposals)
}

/// Every value a message must not show: free text, labels, and dates other than those of
/// mandates and general assemblies.
fn secrets(snapshot: &Snapshot, proposals: &[Proposal]) -> BTreeSet<String> {
    let mut records: Vec<(RecordKind, &std::collections::BTreeMap<String, Value>)> = snapshot
        .records
        .iter()
        .flat_map(|(kind, rs)| rs.values().map(|r| (*kind, &r.fields)))
        .collect();
    records.extend(proposals.iter().map(|p| (p.kind, &p.fields)));
    let mut out = BTreeSet::new();
    for (kind, fields) in records {
        for (name, value) in fields {
            let ty = kind
                .field(name)
                .map(|f| f.ty)
                .expect("a field of the schema");
            let public_date = matches!(
                (kind, name.as_str()),
                (Mandate, "start" | "end" | "renewed_on" | "resigned_on") | (Assembly, "date")
            );
            match (value, ty) {
                (Value::Text(t), FieldType::Text | FieldType::LongText) => {
                    out.insert(t.clone());
                    out.extend(t.lines().filter(|l| l.len() > 3).map(str::to_owned));
                }
                (Value::Set(labels), FieldType::Set) => out.extend(labels.iter().cloned()),
                (Value::Date(d), _) if !public_date => {
                    out.insert(d.format("%Y-%m-%d").to_string());
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn no_finding_message_holds_a_field_value() {
    let (snapshot, proposals) = scenario();
    let mut findings: Vec<Finding> = check(&snapshot, &proposals, today());
    findings.extend(todo(&snapshot, today()));
    let rules: BTreeSet<RuleId> = findings.iter().map(|f| f.rule).collect();
    let all: BTreeSet<RuleId> = RuleId::ALL.into_iter().collect();
    assert_eq!(
        rules, all,
        "the scenario should exercise every rule: {findings:#?}"
    );

    let secrets = secrets(&snapshot, &proposals);
    assert!(secrets.len() > 60, "{secrets:?}");
    for f in &findings {
        for secret in &secrets {
            assert!(
                !f.message.contains(secret.as_str()),
                "{} message shows the value {secret:?}: {}",
                f.rule,
                f.message
            );
        }
        assert!(f.message.contains(f.rule.name()), "{f}");
    }
}

#[test]
fn every_rule_has_a_name_and_a_summary() {
    for rule in RuleId::ALL {
        assert_eq!(rule.to_string(), rule.name());
        assert!(
            !rule.summary().is_empty() && rule.summary().len() < 120,
            "{rule}"
        );
        assert_eq!(rule.summary(), rule.summary().trim_end_matches('.'));
    }
    assert_eq!(RuleId::A10.to_string(), "A10");
}
