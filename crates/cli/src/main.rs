//! `carnet`, the command line of Carnet. Not a library: it parses arguments, asks for the
//! passphrase, calls `carnet-device`, and prints for people or as JSON.

mod access;
mod args;
mod backup;
mod demo;
mod net;

mod output;
mod passphrase;
mod records;
mod todo;
mod transfer;
mod ui;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use carnet_device::{Device, Written};
use carnet_model::{Access, FieldClass, FieldEdit, RecordKind, Role, Value};
use carnet_replica::RegistryOp;
use clap::Parser;

use args::{
    Cli, Command, DeviceCommand, ErasureCommand, MemberCommand, PolicyCommand, ProjectCommand,
    QuarantineCommand,
};

fn main() -> ExitCode {
    // Like other command-line tools, end quietly when the reader of our output goes away
    // (`carnet member list | head`) instead of panicking on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default action of a signal at start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }

    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_error(e),
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("carnet: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A command line that does not parse. clap's own messages quote what was typed, which may be
/// a personal value (`carnet member add "Joy Adé"` without `--name`): those are said again
/// without it; help, version and the rest go through clap.
fn parse_error(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let arg = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(a)) => Some(a.clone()),
        _ => None,
    };
    // A flag's name (never what follows `=`), or nothing when a bare value was typed.
    let flag = arg.as_deref().and_then(|a| {
        if a.starts_with('-') {
            Some(a.split(['=', ' ']).next().unwrap_or(a).to_owned())
        } else {
            // A positional argument's name (`<KIND>`), never a value.
            (a.starts_with('<') && a.ends_with('>')).then(|| a.to_owned())
        }
    });
    let message = match e.kind() {
        ErrorKind::UnknownArgument => match &flag {
            Some(f) => format!("unknown option `{f}`"),
            None => "a value was given where none was expected (not shown here: it may be \
                     personal); values follow an option such as --name or --field NAME=VALUE"
                .to_owned(),
        },
        ErrorKind::InvalidValue
        | ErrorKind::ValueValidation
        | ErrorKind::InvalidUtf8
        | ErrorKind::TooManyValues
        | ErrorKind::WrongNumberOfValues => {
            let valid = match e.get(ContextKind::ValidValue) {
                Some(ContextValue::Strings(v)) => format!(" (accepted: {})", v.join(", ")),
                _ => String::new(),
            };
            match &flag {
                Some(f) => format!("the value given to `{f}` is not accepted{valid}"),
                None => format!("a value given is not accepted{valid}"),
            }
        }
        _ => e.exit(),
    };
    eprintln!("carnet: error: {message}\n\nFor more information, try '--help'.");
    ExitCode::from(2)
}

fn home(cli_home: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(h) = cli_home {
        return Ok(h);
    }
    directories::ProjectDirs::from("org", "Carnet", "carnet")
        .map(|d| d.data_dir().to_path_buf())
        .context("no home directory found; give --home DIR or set CARNET_HOME")
}

/// The CSV dialect a spreadsheet is written in when `--dialect` is not given: the device's
/// language, as its web interface remembers it (French unless English was chosen).
fn default_dialect(home: &std::path::Path) -> String {
    match carnet_web::device_language(home) {
        Some(carnet_web::Lang::En) => "standard",
        _ => "french",
    }
    .to_owned()
}

fn open(home: &std::path::Path) -> Result<Device> {
    let device = open_held(home).map(|(device, _)| device)?;
    say_if_revoked(&device);
    Ok(device)
}

/// Tells the holder of a device that learned it was revoked why it holds no records.
fn say_if_revoked(device: &Device) {
    if let Some(at) = device.revoked_at() {
        let day = chrono::DateTime::from_timestamp_millis(at)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        eprintln!(
            "carnet: this device was revoked by direction ({day}): it no longer holds the association's records; its own changes were handed in for review"
        );
    }
}

/// How long a command waits for another `carnet` command that holds the store:
/// `CARNET_STORE_WAIT` seconds, 30 by default.
fn wait_for_store() -> std::time::Duration {
    let secs = std::env::var("CARNET_STORE_WAIT")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(30);
    std::time::Duration::from_secs(secs)
}

/// Whether this process opened the store itself or borrowed it from a daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Held {
    /// Opened from the file: this process may lend it on to other commands.
    Own,
    /// Lent by a running `carnet serve` (or `ui`, `device invite`) until this process ends.
    Borrowed,
}

/// Opens the device, borrowing the store from a daemon that holds it, and waiting (a bounded
/// time, saying so) while another command holds it.
fn open_held(home: &std::path::Path) -> Result<(Device, Held)> {
    open_held_with(home, &passphrase::read(false)?)
}

/// [`open_held`] with the passphrase already read.
fn open_held_with(home: &std::path::Path, passphrase: &str) -> Result<(Device, Held)> {
    let (device, held) = open_held_stopped(home, passphrase)?;
    match device.halted() {
        Some(why) => Err(why.clone().into()),
        None => Ok((device, held)),
    }
}

/// [`open_held_with`], also for a device that stopped because its store was rolled back or
/// tampered with ([`Device::halted`] says why): for `verify`, which inspects it.
fn open_held_stopped(home: &std::path::Path, passphrase: &str) -> Result<(Device, Held)> {
    let wait = wait_for_store();
    let deadline = std::time::Instant::now() + wait;
    let mut told = false;
    loop {
        match Device::open_stopped(home, passphrase.as_bytes()) {
            Err(carnet_device::OpenDeviceError::Open(carnet_store::OpenError::InUse)) => {
                // A daemon holds the store: borrow it through its control socket.
                match borrow_from_daemon(home) {
                    Ok(()) => {
                        let device = Device::open_stopped(home, passphrase.as_bytes())?;
                        return Ok((device, Held::Borrowed));
                    }
                    Err(e) if std::time::Instant::now() >= deadline => return Err(e),
                    Err(_) => {
                        if !told {
                            eprintln!(
                                "carnet: another carnet command is using this device; waiting for it to finish (at most {} s)…",
                                wait.as_secs()
                            );
                            told = true;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(200));
                    }
                }
            }
            other => return Ok((other?, Held::Own)),
        }
    }
}

/// The control socket of a running `carnet serve`, in its home.
pub(crate) fn control_socket(home: &std::path::Path) -> std::path::PathBuf {
    carnet_node::control_socket(home)
}

/// Asks the `carnet serve` running on this home to lend its store until this process ends
/// (the socket closes with it, and the daemon takes the store back and syncs).
#[cfg(unix)]
fn borrow_from_daemon(home: &std::path::Path) -> Result<()> {
    let stream = carnet_node::borrow(&control_socket(home), std::time::Duration::from_secs(60))?;
    // Kept open until the process exits: closing it hands the store back.
    std::mem::forget(stream);
    Ok(())
}

#[cfg(not(unix))]
fn borrow_from_daemon(_: &std::path::Path) -> Result<()> {
    bail!("the store is in use by another carnet process")
}

fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Demo = cli.command {
        return demo::run().map(|()| ExitCode::SUCCESS);
    }
    let home = home(cli.home)?;
    let now = records::now()?;
    match cli.command {
        Command::Demo => {}
        Command::Init { org, holder, city } => {
            for (what, v) in [("--org", &org), ("--holder", &holder)] {
                if v.trim().is_empty() {
                    bail!("{what} cannot be empty");
                }
            }
            if Device::store_path(&home).exists() {
                bail!(
                    "{} already holds a Carnet store; use another --home",
                    home.display()
                );
            }
            let passphrase = passphrase::read(true)?;
            let device = Device::init(
                &home,
                passphrase.as_bytes(),
                org.trim(),
                holder.trim(),
                city.as_deref().map(str::trim),
                now,
            )?;
            println!("created organisation {} ({})", org.trim(), device.org());
            println!("this device: {} (direction)", device.id());
            println!("home: {}", home.display());
        }
        Command::Fields { kind } => output::fields(kind.parse()?),
        Command::Member(cmd) => {
            let kind = RecordKind::Member;
            let mut device = open(&home)?;
            match cmd {
                MemberCommand::Add(f) => records::member_add(&mut device, &f, now)?,
                MemberCommand::List {
                    status,
                    group,
                    json,
                } => {
                    let status = match status {
                        Some(s) => Some(kind.field("status").context("status")?.edit(None, &s)?),
                        None => None,
                    };
                    let records = device
                        .list_shared(kind)?
                        .into_iter()
                        .filter(|r| match &status {
                            Some(FieldEdit { op: carnet_model::EditOp::Set(v), .. }) => {
                                r.fields.get("status").map(|f| &f.value) == Some(v)
                            }
                            _ => true,
                        })
                        .filter(|r| match &group {
                            Some(g) => matches!(r.fields.get("working_groups").map(|f| &f.value),
                                Some(Value::Set(s)) if s.iter().any(|x| carnet_model::fold(x) == carnet_model::fold(g.trim()))),
                            None => true,
                        })
                        .collect::<Vec<_>>();
                    output::list(kind, &records, json);
                }
                MemberCommand::Show(a) => {
                    let id = device.resolve(kind, &a.record)?;
                    output::show_read(&device, kind, id, a.json)?;
                }
                MemberCommand::Set { record, fields } => {
                    records::member_set(&mut device, &record, &fields, now)?
                }
                MemberCommand::Delete(a) => records::delete(&mut device, kind, &a, now)?,
                MemberCommand::Erase(a) => records::erase(&mut device, &a, now)?,
                MemberCommand::Merge {
                    keep,
                    duplicate,
                    yes,
                } => records::merge(&mut device, &keep, &duplicate, yes, now)?,
                MemberCommand::ExportFile { record, out } => {
                    access::export_file(&device, &record, &out, now)?
                }
            }
        }
        Command::Project(cmd) => {
            let kind = RecordKind::Project;
            let mut device = open(&home)?;
            match cmd {
                ProjectCommand::Add(f) => {
                    let edits = records::edits(&device, kind, f.named(), &f.generic.fields)?;
                    records::add_one(&mut device, kind, edits, now)?;
                }
                ProjectCommand::List { json } => {
                    output::list(kind, &device.list_shared(kind)?, json)
                }
                ProjectCommand::Show(a) => {
                    let id = device.resolve(kind, &a.record)?;
                    output::show_read(&device, kind, id, a.json)?;
                }
                ProjectCommand::Set { record, fields } => {
                    let id = device.resolve(kind, &record)?;
                    let edits =
                        records::edits(&device, kind, fields.named(), &fields.generic.fields)?;
                    records::set_one(&mut device, kind, id, edits, now)?;
                }
                ProjectCommand::Delete(a) => records::delete(&mut device, kind, &a, now)?,
            }
        }
        Command::Signature(cmd) => kind_command(&home, RecordKind::Signature, cmd, now)?,
        Command::Application(cmd) => kind_command(&home, RecordKind::Application, cmd, now)?,
        Command::Mentorship(cmd) => kind_command(&home, RecordKind::Mentorship, cmd, now)?,
        Command::Group(cmd) => kind_command(&home, RecordKind::Group, cmd, now)?,
        Command::Activity(cmd) => kind_command(&home, RecordKind::Activity, cmd, now)?,
        Command::Mandate(cmd) => kind_command(&home, RecordKind::Mandate, cmd, now)?,
        Command::Assembly(cmd) => kind_command(&home, RecordKind::Assembly, cmd, now)?,
        Command::Vote(cmd) => kind_command(&home, RecordKind::Vote, cmd, now)?,
        Command::Partner(cmd) => kind_command(&home, RecordKind::Partner, cmd, now)?,
        Command::Meeting(cmd) => kind_command(&home, RecordKind::Meeting, cmd, now)?,
        Command::Referral(cmd) => kind_command(&home, RecordKind::Referral, cmd, now)?,
        Command::Welfare(cmd) => kind_command(&home, RecordKind::Welfare, cmd, now)?,
        Command::Todo { json } => todo::todo(&open(&home)?, now, json)?,
        Command::Report {
            from,
            to,
            project,
            suppress_below,
            json,
            csv,
            format,
            dialect,
            out,
        } => todo::report(
            &open(&home)?,
            now,
            todo::ReportArgs {
                from,
                to,
                project,
                suppress_below,
                json,
                csv,
                format,
                dialect_given: dialect.is_some(),
                dialect: dialect.unwrap_or_else(|| default_dialect(&home)),
                out,
            },
        )?,
        Command::Import {
            kind,
            file,
            map,
            delimiter,
            sheet,
            date_format,
            display_name,
            joined_before,
            allow_duplicates,
            dry_run,
            with,
        } => transfer::import(
            &mut open(&home)?,
            kind.parse()?,
            &file,
            &transfer::ImportOptions {
                map,
                delimiter,
                sheet,
                date_format,
                display_name,
                joined_before,
                allow_duplicates,
                dry_run,
                with,
            },
            now,
        )?,
        Command::Export {
            kind,
            json,
            format,
            dialect,
            include_personal,
            out,
        } => transfer::export(
            &open(&home)?,
            kind.parse()?,
            &transfer::ExportOptions {
                json,
                format,
                dialect: dialect.unwrap_or_else(|| default_dialect(&home)),
                personal: include_personal,
            },
            out.as_deref(),
        )?,
        Command::Synthetic { seed, members } => {
            transfer::synthetic(&mut open(&home)?, seed, members, now)?
        }
        Command::History { record, json } => {
            let device = open(&home)?;
            let (kind, id) = resolve_any(&device, &record)?;
            output::history(&device, kind, id, &device.history(kind, id)?, json);
        }
        Command::Verify { json } => {
            // A store that was rolled back or tampered with is inspected all the same.
            let (device, _) = open_held_stopped(&home, &passphrase::read(false)?)?;
            let report = device.verify()?;
            output::verify(&report, json);
            if let Some(why) = device.halted() {
                eprintln!("carnet: {why}");
                return Ok(ExitCode::FAILURE);
            }
            if !report.is_clean() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Join { ticket } => {
            // A new home's passphrase is chosen (asked twice); a restored one's is its own.
            let passphrase = passphrase::read(!Device::store_path(&home).exists())?;
            net::join(&home, passphrase.as_bytes(), &ticket)?;
        }
        Command::Sync {
            peers,
            bind,
            no_mdns,
        } => {
            if !net::sync(open(&home)?, &peers, &bind, !no_mdns)? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Serve {
            bind,
            no_mdns,
            every,
        } => {
            let (device, held) = open_held(&home)?;
            if held == Held::Borrowed {
                bail!(
                    "carnet serve is already running for this device (its other commands work meanwhile); stop it first to start another"
                );
            }
            net::serve(&home, device, bind.as_deref(), !no_mdns, every)?
        }
        Command::Ui {
            port,
            no_open,
            every,
            bind,
            no_mdns,
            lock_after,
        } => ui::ui(
            &home,
            ui::UiArgs {
                port,
                no_open,
                every,
                bind,
                no_mdns,
                lock_after,
            },
        )?,
        Command::Passphrase => {
            let old = passphrase::read(false)?;
            let (mut device, _) = open_held_with(&home, &old)?;
            let new = passphrase::read_replacement()?;
            device.change_passphrase(old.as_bytes(), new.as_bytes())?;
            println!("passphrase changed: use the new one from now on, on this device only");
        }
        Command::Backup { out } => backup::backup(&home, &out)?,
        Command::Restore { file, replace } => backup::restore(&home, &file, replace)?,
        Command::Status { json } => {
            let device = open(&home)?;
            output::status(&device, json)?;
        }
        Command::Device(DeviceCommand::Invite {
            roles,
            holder,
            city,
            agreement,
            expires_in,
            bind,
        }) => {
            let (device, held) = open_held(&home)?;
            net::invite(
                &home,
                device,
                held,
                &roles,
                &holder,
                city.as_deref(),
                agreement,
                expires_in,
                bind.as_deref(),
            )?;
        }
        Command::Erasure(ErasureCommand::Retention { yes }) => {
            records::apply_retention(&mut open(&home)?, yes, now)?
        }
        Command::Policy(PolicyCommand::Retention { months }) => {
            let months = match months.trim() {
                "none" | "0" => None,
                m => Some(
                    m.parse::<u32>()
                        .map_err(|_| anyhow::anyhow!("retention is a number of months, or none"))?,
                ),
            };
            let mut device = open(&home)?;
            written(
                device.set_retention(months, now)?,
                &match months {
                    Some(m) => format!(
                        "retention: personal files are erased {m} months after a member leaves"
                    ),
                    None => "retention: personal files are kept (no period)".to_owned(),
                },
            );
        }
        Command::Erasure(ErasureCommand::Status { json }) => {
            let device = open(&home)?;
            output::erasures(&device, json)?;
        }
        Command::AccessLog { record, kind, json } => {
            let device = open(&home)?;
            let record = match record {
                Some(r) => {
                    let kind: RecordKind = kind.parse()?;
                    Some(device.resolve(kind, &r)?)
                }
                None => None,
            };
            output::access_log(&device, &device.access_log(record)?, json);
        }
        Command::Quarantine { action: None, json } => {
            let device = open(&home)?;
            output::quarantine(&device, &device.quarantine()?, json);
        }
        Command::Quarantine {
            action: Some(QuarantineCommand::Readmit { device: who }),
            ..
        } => {
            let mut device = open(&home)?;
            let id = device.resolve_device(&who)?;
            match device.readmit(id, now)? {
                0 => println!(
                    "nothing to re-admit: no change of device {} is quarantined by its revocation or a removal of its rights",
                    id.short()
                ),
                n => println!(
                    "re-admitted {n} quarantined change(s) of device {}: every device takes them back at its next sync",
                    id.short()
                ),
            }
        }
        Command::Policy(PolicyCommand::Show { json }) => {
            let device = open(&home)?;
            output::policy(registry(&device)?, json);
        }
        Command::Policy(PolicyCommand::Set {
            role,
            class,
            access,
        }) => {
            let role: Role = role.parse()?;
            let class: FieldClass = class.parse()?;
            let access: Access = access.parse()?;
            let mut device = open(&home)?;
            written(
                device.set_policy(role, class, access, now)?,
                &format!("policy: {role} on {class} is now {access}"),
            );
        }
        Command::Device(cmd) => {
            let mut device = open(&home)?;
            match cmd {
                DeviceCommand::List { json } => output::devices(&device, registry(&device)?, json),
                DeviceCommand::Invite { .. } => unreachable!("handled above"),

                DeviceCommand::Role {
                    device: who,
                    role,
                    remove,
                } => {
                    let role: Role = role.parse()?;
                    let id = device.resolve_device(&who)?;
                    if remove && id == device.id() {
                        bail!(
                            "this device cannot remove its own roles (it would delete records it holds); do it from another direction device"
                        );
                    }
                    let op = RegistryOp::Role {
                        device: id,
                        role,
                        granted: !remove,
                    };
                    let what = if remove { "removed from" } else { "granted to" };
                    written(
                        device.change_registry(&[op], now)?,
                        &format!("role {role} {what} device {}", id.short()),
                    );
                }
                DeviceCommand::Agreement {
                    device: who,
                    signed,
                    withdraw,
                } => {
                    let id = device.resolve_device(&who)?;
                    if withdraw && id == device.id() {
                        bail!(
                            "this device cannot withdraw its own agreement (it would delete the personal files it holds); do it from another direction device"
                        );
                    }
                    let signed_on = if withdraw {
                        None
                    } else {
                        let date = signed.unwrap_or_else(|| now.format("%Y-%m-%d").to_string());
                        match chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d") {
                            Ok(d) if d <= now.date_naive() => {
                                Some(d.format("%Y-%m-%d").to_string())
                            }
                            Ok(_) => bail!("--signed cannot be a date in the future"),
                            Err(_) => bail!("--signed expects a date written YYYY-MM-DD"),
                        }
                    };
                    let what = if signed_on.is_some() {
                        "recorded"
                    } else {
                        "withdrawn"
                    };
                    let op = RegistryOp::Agreement {
                        device: id,
                        signed_on,
                    };
                    written(
                        device.change_registry(&[op], now)?,
                        &format!("confidentiality agreement {what} for device {}", id.short()),
                    );
                }
                DeviceCommand::Revoke { device: who } => {
                    let id = device.resolve_device(&who)?;
                    if id == device.id() {
                        bail!(
                            "this device cannot revoke itself; revoke it from another direction device"
                        );
                    }
                    if registry(&device)?
                        .device(&id)
                        .is_some_and(|d| d.revoked.is_some())
                    {
                        bail!("device {} is already revoked", id.short());
                    }
                    written(
                        device.revoke(id, now)?,
                        &format!(
                            "device {} revoked: every device will refuse it and its later changes",
                            id.short()
                        ),
                    );
                    println!(
                        "its work not synced yet will be quarantined on the other devices when it next \
                         syncs (it then deletes its records); review it with `carnet quarantine` and \
                         take it back with `carnet quarantine readmit {}`",
                        id.short()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn registry(device: &Device) -> Result<&carnet_replica::Registry> {
    device
        .registry()
        .context("this device has not received its organisation's registry yet")
}

fn written(w: Written, what: &str) {
    match w {
        Written::Changed(_) => println!("{what}"),
        Written::Unchanged => println!("nothing to change: it was already so"),
    }
}

fn kind_command(
    home: &std::path::Path,
    kind: RecordKind,
    cmd: args::KindCommand,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    records::kind_command(&mut open(home)?, kind, cmd, now)
}

/// Finds a record of any kind; a name that matches records of several kinds is ambiguous.
fn resolve_any(device: &Device, query: &str) -> Result<(RecordKind, carnet_replica::RecordId)> {
    use carnet_device::ResolveError;
    let mut found = Vec::new();
    for kind in RecordKind::ALL {
        match device.resolve(kind, query) {
            Ok(id) => found.push((kind, id)),
            Err(ResolveError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    match found.as_slice() {
        [one] => Ok(*one),
        [] => bail!("no record matches that id, id prefix or name"),
        many => {
            let list: Vec<String> = many.iter().map(|(k, id)| format!("{k} {id}")).collect();
            bail!(
                "several records match; give more of the id: {}",
                list.join(", ")
            )
        }
    }
}
