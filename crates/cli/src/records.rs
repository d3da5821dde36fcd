//! Record commands: typed edits (with references given by name), the checked writes every
//! command goes through (the association's rules, `carnet-rules`), and what joining, leaving
//! and rejoining record beside a member's status.

use anyhow::{Context, Result, bail};
use carnet_device::{Checked, Device, RecordWrite, Written};
use std::io::Read;

use carnet_model::{FieldClass, FieldEdit, RecordKind};
use carnet_replica::RecordId;
use chrono::{DateTime, NaiveDate, Utc};

use crate::args::{DeleteArgs, EraseArgs, GenericFields, KindCommand, MemberFields};
use crate::output;

/// Now, or noon of the day `CARNET_TODAY` names (a fixed clock for tests and rehearsals: the
/// rules, reminders and change times then all use that day).
pub(crate) fn now() -> Result<DateTime<Utc>> {
    match std::env::var("CARNET_TODAY") {
        Ok(day) => {
            let d = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
                .context("CARNET_TODAY expects a date written YYYY-MM-DD")?;
            Ok(d.and_hms_opt(12, 0, 0).context("noon")?.and_utc())
        }
        Err(_) => Ok(Utc::now()),
    }
}

/// One `name=value` (or `name+=…`, `name-=…`) typed by a person, for a record of `kind`; a field
/// that names other records takes their ids, id prefixes or labels, resolved here.
pub(crate) fn typed_edit(device: &Device, kind: RecordKind, typed: &str) -> Result<FieldEdit> {
    Ok(carnet_transfer::typed_edit(device, kind, typed)?)
}

/// Whether field `name` of `kind` is personal (personal file or security class).
fn personal(kind: RecordKind, name: &str) -> bool {
    kind.field(name)
        .or_else(|| kind.field(&name.replace('-', "_")))
        .is_some_and(|f| matches!(f.class, FieldClass::Per | FieldClass::Sec))
}

/// Says once, without the value, that a personal value typed on the command line is exposed.
fn warn_inline(warned: &mut bool) {
    if !*warned {
        eprintln!(
            "warning: a personal value typed on the command line stays in the shell's history \
             and is visible to the computer's other programs while carnet runs; give it as \
             --field NAME=@- (standard input) or --field NAME=@FILE, or use `carnet ui`"
        );
        *warned = true;
    }
}

/// A `--field` whose value is `@-` (read from standard input, once) or `@FILE` (read from that
/// file) as the `name=value` it stands for, and whether its value was typed inline. `@@…` is a
/// value starting with `@`. One final line break is dropped. Errors never name the file (its
/// name may say whom it is about) nor show its content.
fn with_source(typed: &str, stdin_used: &mut bool) -> Result<(String, bool)> {
    let Some((lhs, rhs)) = typed.split_once('=') else {
        return Ok((typed.to_owned(), true));
    };
    let name = lhs.trim_end_matches(['+', '-']).trim();
    let mut value = match rhs {
        "@-" => {
            if std::mem::replace(stdin_used, true) {
                bail!("only one field can be read from standard input (`@-`)");
            }
            let mut v = String::new();
            std::io::stdin()
                .read_to_string(&mut v)
                .with_context(|| format!("cannot read field `{name}` from standard input"))?;
            v
        }
        _ if rhs.starts_with("@@") => return Ok((format!("{lhs}={}", &rhs[1..]), true)),
        _ if rhs.starts_with('@') => std::fs::read_to_string(&rhs[1..]).with_context(|| {
            format!("cannot read field `{name}` from the file given after `@` (a UTF-8 text file)")
        })?,
        _ => return Ok((typed.to_owned(), true)),
    };
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    Ok((format!("{lhs}={value}"), false))
}

/// Named flags then `--field`s, as edits of a record of `kind`. A personal value typed inline
/// draws one warning (never showing it); `--field NAME=@-` and `NAME=@FILE` keep values off the
/// command line.
pub(crate) fn edits(
    device: &Device,
    kind: RecordKind,
    named: Vec<(String, String)>,
    generic: &[String],
) -> Result<Vec<FieldEdit>> {
    let mut out = Vec::new();
    let mut warned = false;
    let mut stdin_used = false;
    for (name, value) in named {
        let field = kind.field(&name).context("internal: unknown named field")?;
        if personal(kind, &name) {
            warn_inline(&mut warned);
        }
        out.push(field.edit(None, &value)?);
    }
    for typed in generic {
        let (typed, inline) = with_source(typed, &mut stdin_used)?;
        let name = typed.split_once('=').map_or(typed.as_str(), |(l, _)| l);
        if inline && personal(kind, name.trim_end_matches(['+', '-']).trim()) {
            warn_inline(&mut warned);
        }
        out.push(typed_edit(device, kind, &typed)?);
    }
    Ok(out)
}

/// At a terminal, a new member's personal file is asked for field by field (the answers stay
/// out of the shell's history), when this device may write it and none was given.
fn ask_personal(device: &Device, edits: &mut Vec<FieldEdit>) -> Result<()> {
    use std::io::{BufRead, IsTerminal, Write};
    let kind = RecordKind::Member;
    let may = device
        .registry()
        .is_some_and(|r| r.access(&device.id(), FieldClass::Per).can_write());
    let given = edits.iter().any(|e| personal(kind, e.field.name));
    if !may || given || !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(());
    }
    eprintln!(
        "The new member's personal file (typed here, it stays out of the shell's history). \
         Press Enter to leave a field empty."
    );
    let mut lines = std::io::stdin().lock().lines();
    for spec in kind.fields().iter().filter(|f| f.class == FieldClass::Per) {
        loop {
            eprint!("  {} ({}): ", spec.help, spec.name);
            std::io::stderr().flush()?;
            let Some(line) = lines.next().transpose()? else {
                return Ok(());
            };
            let line = line.trim();
            if line.is_empty() {
                break;
            }
            match spec.edit(None, line) {
                Ok(e) => {
                    edits.push(e);
                    break;
                }
                // The refusal says what is expected, never the value typed.
                Err(e) => eprintln!("  {e}"),
            }
        }
    }
    Ok(())
}

/// Writes records through the association's rules; prints their warnings. Nothing is written
/// when a rule blocks (the error names each rule).
pub(crate) fn write(
    device: &mut Device,
    writes: &[RecordWrite],
    now: DateTime<Utc>,
) -> Result<Checked> {
    let checked = device.write_checked(writes, now)?;
    for w in &checked.warnings {
        eprintln!("warning: {} {}: {}", w.rule, w.rule.summary(), w.message);
    }
    Ok(checked)
}

/// `carnet member add`: the writes are planned by `carnet_web::plan` (shared with the web
/// interface): a member from today unless told otherwise, with her member-form signature (M1).
pub(crate) fn member_add(device: &mut Device, f: &MemberFields, now: DateTime<Utc>) -> Result<()> {
    let kind = RecordKind::Member;
    let mut edits = edits(device, kind, f.named(), &f.generic.fields)?;
    ask_personal(device, &mut edits)?;
    let (id, writes) = carnet_web::plan::member_add(edits, f.signed.as_deref(), now)?;
    write(device, &writes, now)?;
    println!("added member {id}");
    Ok(())
}

/// `carnet member set`: leaving or being expelled records the day (`left_on`, which rejoining
/// must follow: M5); `--signed` records a new member-form signature with the change.
pub(crate) fn member_set(
    device: &mut Device,
    record: &str,
    f: &MemberFields,
    now: DateTime<Utc>,
) -> Result<()> {
    let kind = RecordKind::Member;
    let id = device.resolve(kind, record)?;
    let edits = edits(device, kind, f.named(), &f.generic.fields)?;
    let writes = carnet_web::plan::member_set(device, id, edits, f.signed.as_deref(), now)?;
    let checked = write(device, &writes, now)?;
    report(checked.written.into_iter().next(), kind, id);
    Ok(())
}

/// Creates one record of `kind` through the rules; prints and returns its id.
pub(crate) fn add_one(
    device: &mut Device,
    kind: RecordKind,
    edits: Vec<FieldEdit>,
    now: DateTime<Utc>,
) -> Result<RecordId> {
    let id = RecordId::random();
    let w = RecordWrite {
        kind,
        id,
        edits,
        create: true,
    };
    write(device, &[w], now)?;
    println!("added {kind} {id}");
    Ok(id)
}

/// Edits one record of `kind` through the rules; prints what was written.
pub(crate) fn set_one(
    device: &mut Device,
    kind: RecordKind,
    id: RecordId,
    edits: Vec<FieldEdit>,
    now: DateTime<Utc>,
) -> Result<()> {
    let w = RecordWrite {
        kind,
        id,
        edits,
        create: false,
    };
    let checked = write(device, &[w], now)?;
    report(checked.written.into_iter().next(), kind, id);
    Ok(())
}

pub(crate) fn report(written: Option<Written>, kind: RecordKind, id: RecordId) {
    match written {
        Some(Written::Changed(docs)) => {
            println!("updated {kind} {id} ({} document(s) changed)", docs.len())
        }
        _ => println!("{kind} {id} already had these values: nothing written"),
    }
}

/// `carnet KIND add|list|show|set` for the kinds without dedicated flags.
pub(crate) fn kind_command(
    device: &mut Device,
    kind: RecordKind,
    cmd: KindCommand,
    now: DateTime<Utc>,
) -> Result<()> {
    match cmd {
        KindCommand::Add(GenericFields { fields }) => {
            if fields.is_empty() {
                bail!("give the fields as --field name=value; `carnet fields {kind}` lists them");
            }
            let edits = edits(device, kind, vec![], &fields)?;
            add_one(device, kind, edits, now)?;
        }
        KindCommand::List { json } => output::list(kind, &device.list_shared(kind)?, json),
        KindCommand::Show(a) => {
            let id = device.resolve(kind, &a.record)?;
            output::show_read(device, kind, id, a.json)?;
        }
        KindCommand::Set { record, fields } => {
            let id = device.resolve(kind, &record)?;
            let edits = edits(device, kind, vec![], &fields.fields)?;
            set_one(device, kind, id, edits, now)?;
        }
        KindCommand::Delete(a) => delete(device, kind, &a, now)?,
    }
    Ok(())
}

/// `carnet KIND delete`: a record entered by mistake leaves every list and report (direction
/// devices; confirmation asked on a terminal unless `--yes`).
pub(crate) fn delete(
    device: &mut Device,
    kind: RecordKind,
    a: &DeleteArgs,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = device.resolve(kind, &a.record)?;
    let label = device.show(kind, id).map(|v| v.label()).unwrap_or_default();
    confirm(
        &format!(
            "delete {kind} {label} ({id}) on every device? It leaves lists and reports; its history stays."
        ),
        "yes",
        a.yes,
        "deleting asks for confirmation",
    )?;
    device.delete(kind, id, now)?;
    println!("deleted {kind} {id}; it leaves every device's lists at their next sync");
    Ok(())
}

/// What an erasure keeps of her, on every device (`docs/architecture.md`, "Erasure"): said in
/// the question before it is confirmed and printed once it is made.
const ERASURE_KEEPS: &str = "her record id, the date, this direction device and the reason, her \
     id in lists of people (attendance, group members: it names nobody any more) and, if she was \
     expelled, her M6 marker (a keyed hash of her names and date of birth); nothing else of her";

/// The question `carnet member erase` asks before erasing `label` (`id`).
fn erase_question(label: &str, id: &RecordId) -> String {
    format!(
        "erase {label} ({id}) on every device? Her file, her history and every record about her \
         are destroyed; kept: {ERASURE_KEEPS}. This cannot be undone."
    )
}

/// `carnet member erase`: a person who asked to be forgotten is erased on every device
/// (direction devices; confirmation asked on a terminal unless `--yes`).
pub(crate) fn erase(device: &mut Device, a: &EraseArgs, now: DateTime<Utc>) -> Result<()> {
    let kind = RecordKind::Member;
    let id = device.resolve(kind, &a.record)?;
    if a.reason.trim().is_empty() {
        bail!("--reason is empty: say which request this erasure answers (no name)");
    }
    let view = device.show(kind, id).ok();
    let label = view.as_ref().map(|v| v.label()).unwrap_or_default();
    let expelled = view
        .and_then(|v| v.fields.get("status").map(|s| s.value.to_string()))
        .is_some_and(|s| s == "expelled");
    confirm(
        &erase_question(&label, &id),
        "erase",
        a.yes,
        "erasing asks for confirmation",
    )?;
    device.erase(id, a.reason.trim(), now)?;
    println!(
        "erased member {id} on this device; every other device erases her at its next sync \
         (see `carnet erasure status`)"
    );
    println!("kept on every device: {ERASURE_KEEPS}");
    let marked = device
        .registry()
        .and_then(|r| r.erased.get(&id))
        .is_some_and(|e| !e.markers.is_empty());
    if marked {
        println!(
            "she was expelled: the erasure keeps her M6 marker (a keyed hash of her names and \
             date of birth, which only staff and direction devices can check), so she cannot be \
             admitted again"
        );
    } else if expelled {
        eprintln!(
            "warning: she was expelled but no date of birth was recorded: no M6 marker could be \
             kept, so nothing stops her being admitted again under a new record"
        );
    }
    Ok(())
}

/// Asks on the terminal to type `word` (unless `yes`); `refusal` is the error without one.
fn confirm(question: &str, word: &str, yes: bool, refusal: &str) -> Result<()> {
    use std::io::{BufRead, IsTerminal, Write};
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        bail!("{refusal}: run it in a terminal, or add --yes");
    }
    print!("{question} Type {word}: ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() != word {
        bail!("nothing done");
    }
    Ok(())
}

/// `carnet member merge KEEP DUPLICATE` (direction devices).
pub(crate) fn merge(
    device: &mut Device,
    keep: &str,
    duplicate: &str,
    yes: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let kind = RecordKind::Member;
    let keep = device.resolve(kind, keep)?;
    let duplicate = device.resolve(kind, duplicate)?;
    let label = |id| device.show(kind, id).map(|v| v.label()).unwrap_or_default();
    confirm(
        &format!(
            "merge {} ({duplicate}) into {} ({keep}) on every device? Records naming the first will name the second; the first is deleted.",
            label(duplicate),
            label(keep)
        ),
        "yes",
        yes,
        "merging asks for confirmation",
    )?;
    let others = device.merge(keep, duplicate, now)?;
    println!(
        "merged member {duplicate} into {keep}: {others} record(s) now name {keep}; {duplicate} is deleted (see `carnet todo` for what is left to settle)"
    );
    Ok(())
}

/// `carnet erasure retention`: the personal files whose retention period ended are erased.
pub(crate) fn apply_retention(device: &mut Device, yes: bool, now: DateTime<Utc>) -> Result<()> {
    let today = now.date_naive();
    let due = device
        .retention_schedule()?
        .into_iter()
        .filter(|(_, _, d)| *d <= today)
        .count();
    if due == 0 {
        println!("no personal file is due for erasure");
        return Ok(());
    }
    confirm(
        &format!(
            "erase the personal files of {due} member(s) who left, on every device (their retention period has ended)? This cannot be undone."
        ),
        "erase",
        yes,
        "erasing asks for confirmation",
    )?;
    let n = device.apply_retention(now)?;
    println!(
        "erased the personal files of {n} member(s) who left; every device erases them at its next sync (see `carnet erasure status`)"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The question asked before an erasure says what it keeps, not only what it destroys.
    #[test]
    fn the_erasure_question_says_what_is_kept() {
        let id = RecordId::random();
        let question = erase_question("Joy", &id);
        for kept in [
            "record id",
            "the date",
            "direction device",
            "the reason",
            "lists of people",
            "M6 marker",
        ] {
            assert!(question.contains(kept), "{kept}: {question}");
        }
        assert!(question.contains(&id.to_string()) && question.contains("cannot be undone"));
    }
}
