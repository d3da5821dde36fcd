//! Referrals: about 150 a year since 2021, by destination, with decision times averaging about
//! 46 days and some emergencies decided within a week.

use carnet_model::RecordKind;
use chrono::{Datelike, NaiveDate};

use crate::Gen;
use crate::activities::sample;
use crate::build::Rec;
use crate::catalogue::P;
use crate::dice::{days, plus, ymd};

/// Destinations with their weights (out of 100).
const DESTINATIONS: &[(&str, u32)] = &[
    ("acse", 8),
    ("psp", 14),
    ("lawyer", 20),
    ("housing", 20),
    ("psychologist", 12),
    ("coalition-partner", 10),
    ("charity", 12),
    ("other", 4),
];

/// The project a referral belongs to, if its destination and date fall within one.
fn project_of(dest: &str, d: NaiveDate) -> Option<P> {
    let within = |a: i32, b: i32| (ymd(a, 1, 1)..=ymd(b, 12, 31)).contains(&d);
    match dest {
        "acse" | "psp" if within(2022, 2023) => Some(P::Mpeio),
        "lawyer" => Some(P::AllInFavor),
        "housing" if within(2024, 2025) => Some(P::Rehousing),
        "psychologist" if within(2023, 2024) => Some(P::PowerOfTheGroup),
        _ => None,
    }
}

pub(crate) fn referrals(g: &mut Gen) {
    let t = g.today;
    let last = plus(t, -1);
    for year in 2021..=t.year() {
        let start = ymd(year, 1, 1);
        let end = ymd(year, 12, 31).min(last);
        if end < start {
            continue;
        }
        let share = (days(start, end) + 1) as f64 / 365.0;
        let n = (g.scale.referrals_per_year as f64 * share.min(1.0)).round() as usize;
        for _ in 0..n {
            let referred = g.dice.date(start, end);
            let mut roll = g.dice.range(0, 99) as u32;
            let mut dest = "other";
            for &(d, w) in DESTINATIONS {
                if roll < w {
                    dest = d;
                    break;
                }
                roll -= w;
            }
            let direction = match dest {
                "charity" => "inbound",
                "coalition-partner" if g.dice.chance(0.5) => "inbound",
                _ => "outbound",
            };
            let wait = if g.dice.chance(0.12) {
                g.dice.range(1, 6)
            } else {
                g.dice.range(21, 83)
            };
            let decided = Some(plus(referred, wait)).filter(|&d| d < t);
            let status = match decided {
                None => "open",
                Some(_) => match g.dice.range(0, 19) {
                    0..=14 => "accepted",
                    15..=17 => "refused",
                    _ => "closed",
                },
            };
            let person = if g.dice.chance(0.4) {
                sample(&mut g.dice, &g.people, &g.by_join, referred, 1, |p| {
                    p.member_on(referred)
                })
                .first()
                .map(|&i| g.people[i].id.clone())
            } else {
                None
            };
            let partner = (dest == "coalition-partner" && !g.coalition_orgs.is_empty())
                .then(|| g.dice.pick(&g.coalition_orgs).clone());
            let consent = format!(
                "Consent given on {referred} for this referral only; recipient named in the \
                 request; scope: {dest} follow-up (form {:05})",
                g.dice.range(10000, 99999)
            );
            let notes = format!(
                "Case {:05}: documents sent, follow-up call planned.",
                g.dice.range(10000, 99999)
            );
            let id = g.dice.id();
            Rec::new(RecordKind::Referral)
                .text("destination", dest)
                .text("direction", direction)
                .date("referred_on", referred)
                .opt_date("decided_on", decided)
                .text("status", status)
                .opt(
                    "project",
                    project_of(dest, referred).and_then(|p| g.project_id(p)),
                )
                .opt("person", person)
                .opt("partner", partner)
                .text("consent", consent)
                .text("notes", notes)
                .finish(&mut g.out, &id);
            let f = g
                .referral_truth
                .entry(referred.year())
                .or_default()
                .entry(dest.to_owned())
                .or_default();
            f.referrals += 1;
            if let Some(d) = decided {
                f.decided += 1;
                f.days_to_decision += days(referred, d) as u64;
            }
        }
    }
}
