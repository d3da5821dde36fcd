//! The command line's shape (clap derive): commands, flags and their help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Carnet: member and project records of a survivor-led association, kept on the staff's own
/// devices, signed, encrypted at rest, with no central server.
///
/// The passphrase is asked for at a prompt, or taken from CARNET_PASSPHRASE (for scripts).
#[derive(Debug, Parser)]
#[command(name = "carnet", version, propagate_version = true)]
pub(crate) struct Cli {
    /// This device's home directory [default: the platform's data directory]
    #[arg(long, global = true, env = "CARNET_HOME", value_name = "DIR")]
    pub(crate) home: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The record kinds, as typed.
const KINDS: [&str; 14] = [
    "member",
    "project",
    "signature",
    "application",
    "mentorship",
    "group",
    "activity",
    "mandate",
    "assembly",
    "vote",
    "partner",
    "meeting",
    "referral",
    "welfare",
];

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// A tour of Carnet on one device, in a temporary directory (nothing else is touched)
    Demo,
    /// Create an organisation on this device, which becomes its first direction device
    Init {
        /// The organisation's name
        #[arg(long, value_name = "NAME")]
        org: String,
        /// The name of the person who holds this device
        #[arg(long, value_name = "NAME")]
        holder: String,
        /// The city this device works from
        #[arg(long, value_name = "CITY")]
        city: Option<String>,
    },
    /// Members: card (shared with members) and personal file (staff and direction only)
    #[command(subcommand)]
    Member(MemberCommand),
    /// Projects: public description, targets and progress
    #[command(subcommand)]
    Project(ProjectCommand),
    /// Signatures of the rules (member form, active-member form)
    #[command(subcommand)]
    Signature(KindCommand),
    /// Applications to become an active member (Roots interview, vote, card, mentor)
    #[command(subcommand)]
    Application(KindCommand),
    /// Mentorships of active members
    #[command(subcommand)]
    Mentorship(KindCommand),
    /// Working groups and their members
    #[command(subcommand)]
    Group(KindCommand),
    /// Activities and sessions, with attendance (present, excused, absent)
    #[command(subcommand)]
    Activity(KindCommand),
    /// Mandates: spokespersons, prefets, board seats, officers
    #[command(subcommand)]
    Mandate(KindCommand),
    /// General assemblies
    #[command(subcommand)]
    Assembly(KindCommand),
    /// Votes: elections, admissions, drops, coalition decisions
    #[command(subcommand)]
    Vote(KindCommand),
    /// Partner organisations and coalition members
    #[command(subcommand)]
    Partner(KindCommand),
    /// Coalition meetings and their attendance
    #[command(subcommand)]
    Meeting(KindCommand),
    /// Referrals to and from other organisations
    #[command(subcommand)]
    Referral(KindCommand),
    /// Welfare check-ins with members after a silence
    #[command(subcommand)]
    Welfare(KindCommand),
    /// The fields of a record kind: name, class, type and meaning
    Fields {
        /// The record kind
        #[arg(value_parser = KINDS)]
        kind: String,
    },
    /// What needs someone's attention today: welfare check-ins, missing mentors, mandates
    /// ending, general assembly due, coalition attendance, rules broken by a merge
    Todo {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Figures for funders over a period: members by status, sessions, participants,
    /// attendances, referrals — counts only, never a name; small counts shown as "<5"
    Report {
        /// First day of the period (YYYY-MM-DD) [default: 1 January of this year]
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day of the period (YYYY-MM-DD) [default: today]
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Only this project (id, id prefix or title)
        #[arg(long)]
        project: Option<String>,
        /// Counts from 1 to N-1 are shown as "<N"
        #[arg(long, default_value_t = 5, value_name = "N")]
        suppress_below: u64,
        /// Print JSON
        #[arg(long, conflicts_with_all = ["csv", "format"])]
        json: bool,
        /// Print CSV (as --format csv)
        #[arg(long, conflicts_with = "format")]
        csv: bool,
        /// The report as a spreadsheet: csv, or xlsx (one sheet, counts as numbers; needs
        /// --out) [default: xlsx for an --out file named .xlsx, csv for one named .csv]
        #[arg(long, value_name = "csv|xlsx")]
        format: Option<String>,
        /// The CSV dialect: french (`;`, BOM, CRLF: what French Excel opens as columns) or
        /// standard (`,`) [default: the device's language: french unless the interface was
        /// set to English]
        #[arg(long, value_name = "french|standard")]
        dialect: Option<String>,
        /// Write the report to this file (created readable by you only, never overwriting
        /// one) instead of standard output
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Import records of one kind from a spreadsheet: CSV (separator and encoding detected),
    /// .xlsx or .ods; first row: column names, in French or English. All rows or none: every
    /// bad row is reported with its line number as the spreadsheet shows it
    Import {
        /// The record kind
        #[arg(value_parser = KINDS)]
        kind: String,
        /// The file: .csv (or .txt), .xlsx, .ods, or .json as `carnet export --json` writes it
        file: PathBuf,
        /// A column's field, as COLUMN=FIELD (repeatable); columns are otherwise matched by
        /// their names, French or English (see `carnet fields KIND`); COLUMN= ignores a column
        #[arg(long = "map", value_name = "COLUMN=FIELD")]
        map: Vec<String>,
        /// The CSV separator (`;`, `,`, `tab`…) [default: detected from the first line]
        #[arg(long, value_name = "C")]
        delimiter: Option<String>,
        /// The workbook sheet to read [default: the first]
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// How dates that are not ISO are written: dmy (14/03/1991), mdy (03/14/1991, as
        /// English-language spreadsheets export them) or ymd (91/03/14); --joined-before too
        #[arg(long, value_name = "dmy|mdy|ymd", default_value = "dmy")]
        date_format: String,
        /// Fill an empty display name from a column ("Prénom") or a template
        /// ("{Prénom} {Nom:initial}.")
        #[arg(long, value_name = "TEMPLATE")]
        display_name: Option<String>,
        /// Members: rows without a `member_since` joined before this date (YYYY-MM-DD or
        /// DD/MM/YYYY); their membership signatures carry it
        #[arg(long, value_name = "DATE")]
        joined_before: Option<String>,
        /// Import a file this device imported before as the same kind, and rows that look like
        /// records already recorded or like other rows of the file (a member's display name
        /// and date of birth, an activity's title and date…; see `carnet fields KIND`)
        #[arg(long)]
        allow_duplicates: bool,
        /// Check every row and report, but write nothing
        #[arg(long)]
        dry_run: bool,
        /// Another file to import in the same all-or-none write, as KIND=FILE (repeatable):
        /// for records that name one another across kinds, such as partners removed by a
        /// coalition vote that names them (`carnet import partner partners.csv --with
        /// vote=votes.csv`); its columns are matched by their names (--map and
        /// --display-name are the first file's)
        #[arg(long = "with", value_name = "KIND=FILE")]
        with: Vec<String>,
    },
    /// Export the records of one kind this device may read, as CSV (French spreadsheet
    /// dialect by default), .xlsx or JSON
    Export {
        /// The record kind
        #[arg(value_parser = KINDS)]
        kind: String,
        /// Print JSON instead of CSV
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// csv or xlsx (xlsx needs --out) [default: xlsx for an --out file named .xlsx,
        /// csv otherwise]
        #[arg(long, value_name = "csv|xlsx")]
        format: Option<String>,
        /// The CSV dialect: french (`;`, UTF-8 BOM, CRLF: what French Excel and LibreOffice
        /// open as columns) or standard (`,`, LF) [default: the device's language: french
        /// unless the interface was set to English]
        #[arg(long, value_name = "french|standard")]
        dialect: Option<String>,
        /// Include personal-file (PER), security (SEC) and Roots (GOV) fields: the output then
        /// holds personal files in the clear
        #[arg(long)]
        include_personal: bool,
        /// Write to this file (created readable by you only) instead of standard output
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Fill this device with a synthetic association (fictitious people; for trying Carnet,
    /// demos and tests): members, projects, activities, mandates…
    Synthetic {
        /// The seed: the same seed makes the same association
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Number of current members [default: Mist's 58]
        #[arg(long)]
        members: Option<usize>,
    },
    /// Every change of a record, newest first: when, by which device and holder, which
    /// fields, and whether its signature verifies
    History {
        /// The record: its id, an id prefix, or its display name or title
        record: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Erasures of people: which devices confirmed them (signed receipts) and which not yet
    #[command(subcommand)]
    Erasure(ErasureCommand),
    /// Changes rejected by the access rules, with the reason for each; `readmit` takes back
    /// a revoked or demoted device's work once reviewed
    Quarantine {
        /// What to do (nothing: list the quarantine)
        #[command(subcommand)]
        action: Option<QuarantineCommand>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Who read a personal file: this device's signed, append-only access log (each `show`,
    /// page, export of a personal file), oldest first; on a direction device, also the logs
    /// other devices handed over when they synced
    AccessLog {
        /// Only the reads of this record (a name or an id)
        record: Option<String>,
        /// The record's kind (default: member)
        #[arg(long, default_value = "member")]
        kind: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// The access policy: what each role may do with each field class
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Devices of the organisation: list, roles, confidentiality agreements, revocation
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Join an organisation with an invitation ticket from a direction device (creates this
    /// device's home, key and encrypted store; a home made by `carnet restore` joins as it is)
    Join {
        /// The ticket printed by `carnet device invite`
        ticket: String,
    },
    /// Sync once with peers: those given, or every peer met before
    Sync {
        /// A peer address DEVICE_ID@IP:PORT (as printed by `carnet serve`); repeatable.
        /// Without it, every known peer: at its stored address, or found on the local network
        /// (mDNS) when that fails
        #[arg(long = "peer", value_name = "ADDR")]
        peers: Vec<String>,
        /// Local UDP address to use
        #[arg(long, default_value = "0.0.0.0:0", value_name = "IP:PORT")]
        bind: String,
        /// Do not look for known peers on the local network when their stored address fails
        #[arg(long)]
        no_mdns: bool,
    },
    /// Listen for peers, find them on the local network (mDNS), and sync with each when it
    /// appears and every --every seconds; Ctrl-C stops
    Serve {
        /// Local UDP address to listen on [default: every interface, on this device's own
        /// port, chosen once and kept so that peers find it again]
        #[arg(long, value_name = "IP:PORT")]
        bind: Option<String>,
        /// Do not announce or look for peers on the local network
        #[arg(long)]
        no_mdns: bool,
        /// Seconds between syncs with known peers
        #[arg(long, default_value_t = 30, value_name = "SECONDS")]
        every: u64,
    },
    /// The web interface: serves it on 127.0.0.1 and opens the browser; the page asks for the
    /// passphrase, then this runs what `carnet serve` runs (discovery, sync, lending the store)
    Ui {
        /// Port on 127.0.0.1 (0: a free port)
        #[arg(long, default_value_t = 0, value_name = "PORT")]
        port: u16,
        /// Do not open the browser (the address is printed)
        #[arg(long)]
        no_open: bool,
        /// Seconds between syncs with known peers
        #[arg(long, default_value_t = 30, value_name = "SECONDS")]
        every: u64,
        /// Local UDP address of the sync node [default: every interface, on this device's own
        /// port, as `serve`]
        #[arg(long, value_name = "IP:PORT")]
        bind: Option<String>,
        /// Do not announce or look for peers on the local network
        #[arg(long)]
        no_mdns: bool,
        /// Minutes without activity after which the interface asks for the passphrase again
        #[arg(long, default_value_t = 10, value_name = "MINUTES")]
        lock_after: u64,
    },
    /// Change the passphrase of this device (asks the current one, then the new one twice;
    /// works while `carnet serve` or `carnet ui` runs)
    Passphrase,
    /// Write a sealed backup of this device (its store and record keys, one file readable by
    /// you only, opened by this device's passphrase); works while `carnet serve` or `carnet
    /// ui` runs
    Backup {
        /// The backup file to create (never overwritten)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Bring a backup back into --home under a new device key: the restored device holds the
    /// data but must be enrolled again by a direction device (`carnet device invite` there,
    /// then `carnet join` here) before it syncs or writes anything others accept
    Restore {
        /// The backup file (asks the passphrase the device had when the backup was made)
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Replace the store this home holds (its device key and anything not in the backup
        /// are lost)
        #[arg(long)]
        replace: bool,
    },
    /// Peers met, last sync with each, and the quarantine
    Status {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Re-verify every stored change and document; exits non-zero on any tampering
    Verify {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum MemberCommand {
    /// Record a new member
    Add(MemberFields),
    /// List members
    List {
        /// Only members with this status (prospect, member, active, left, expelled)
        #[arg(long)]
        status: Option<String>,
        /// Only members of this working group
        #[arg(long)]
        group: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show one member
    Show(ShowArgs),
    /// Change fields of a member
    Set {
        /// The member: id, id prefix or display name
        record: String,
        #[command(flatten)]
        fields: MemberFields,
    },
    /// Delete one entered by mistake (direction devices): it leaves every list, lookup and
    /// report on every device; its history stays, with who deleted it. Not an erasure
    Delete(DeleteArgs),
    /// Erase a person who asked to be forgotten (RGPD art. 17; direction devices): every
    /// device destroys every document of the record and of the records about her, refuses
    /// them from then on and confirms with a signed receipt (`carnet erasure status`). Kept:
    /// her record id, the date, the direction device and the reason, her id in lists of
    /// people and, if she was expelled, her M6 marker. Cannot be undone
    Erase(EraseArgs),
    /// Merge a person entered twice (direction devices): every record naming DUPLICATE names
    /// KEEP instead, KEEP's empty fields take DUPLICATE's values, and DUPLICATE is deleted
    Merge {
        /// The record to keep: its id, an id prefix, or its display name
        keep: String,
        /// The record entered by mistake
        duplicate: String,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// Write everything this device holds about one person (RGPD art. 15, right of access):
    /// JSON in FILE and a readable text beside it (FILE with .txt), both readable by you only
    ExportFile {
        /// The person: her id, an id prefix, or her display name
        record: String,
        /// The JSON file to create (must not exist); the text form goes beside it as .txt
        #[arg(long, value_name = "FILE.json")]
        out: std::path::PathBuf,
    },
}

/// Which person to erase, and why.
#[derive(Debug, clap::Args)]
pub(crate) struct EraseArgs {
    /// The person: her id, an id prefix, or her display name
    pub(crate) record: String,
    /// Why (kept in the registry on every device: write the request's date and kind, never
    /// a name or another personal value), e.g. "demande RGPD art. 17 du 2026-12-01"
    #[arg(long)]
    pub(crate) reason: String,
    /// Do not ask for confirmation
    #[arg(long)]
    pub(crate) yes: bool,
}

/// Which record to delete.
#[derive(Debug, clap::Args)]
pub(crate) struct DeleteArgs {
    /// The record: its id, an id prefix, or its label (name or title)
    pub(crate) record: String,
    /// Do not ask for confirmation
    #[arg(long)]
    pub(crate) yes: bool,
}

/// The commands of a record kind without dedicated flags.
#[derive(Debug, Subcommand)]
pub(crate) enum KindCommand {
    /// Record a new one (`carnet fields KIND` lists the fields)
    Add(GenericFields),
    /// List them
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show one
    Show(ShowArgs),
    /// Change fields of one
    Set {
        /// The record: its id, an id prefix, or its label (name or title)
        record: String,
        #[command(flatten)]
        fields: GenericFields,
    },
    /// Delete one entered by mistake (direction devices): it leaves every list, lookup and
    /// report on every device; its history stays, with who deleted it. Not an erasure
    Delete(DeleteArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum ProjectCommand {
    /// Record a new project
    Add(ProjectFields),
    /// List projects
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show one project
    Show(ShowArgs),
    /// Change fields of a project
    Set {
        /// The project: id, id prefix or title
        record: String,
        #[command(flatten)]
        fields: ProjectFields,
    },
    /// Delete one entered by mistake (direction devices): it leaves every list, lookup and
    /// report on every device; its history stays, with who deleted it. Not an erasure
    Delete(DeleteArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The record: its id, an id prefix, or its display name or title
    pub(crate) record: String,
    /// Print JSON
    #[arg(long)]
    pub(crate) json: bool,
}

/// Any field as name=value; see `carnet fields KIND`.
#[derive(Debug, Args)]
pub(crate) struct GenericFields {
    /// A field as name=value (name+=a, name-=a add to or remove from a list; name= empties it);
    /// repeatable; `carnet fields KIND` lists the names. A field naming other records takes
    /// their ids, id prefixes or names
    #[arg(long = "field", short = 'f', value_name = "NAME=VALUE")]
    pub(crate) fields: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct MemberFields {
    /// Display name (may be a pseudonym)
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// Status: prospect, member, active, left or expelled [add: member]
    #[arg(long)]
    pub(crate) status: Option<String>,
    /// Date the member signed the rules (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub(crate) since: Option<String>,
    /// Working group (repeatable; replaces the list)
    #[arg(long = "group", value_name = "GROUP")]
    pub(crate) groups: Vec<String>,
    /// Speaks French: yes or no
    #[arg(long, value_name = "YES|NO")]
    pub(crate) french: Option<String>,
    /// Legal first name (personal file)
    #[arg(long)]
    pub(crate) first_name: Option<String>,
    /// Legal last name (personal file)
    #[arg(long)]
    pub(crate) last_name: Option<String>,
    /// Date of birth, YYYY-MM-DD (personal file)
    #[arg(long, value_name = "DATE")]
    pub(crate) dob: Option<String>,
    /// Phone number (personal file)
    #[arg(long)]
    pub(crate) phone: Option<String>,
    /// City of residence (personal file)
    #[arg(long)]
    pub(crate) city: Option<String>,
    /// The member form was signed on this date (YYYY-MM-DD): records the signature with the
    /// change (rule M1; rejoining needs one dated after leaving, M5) [add: --since, or today]
    #[arg(long, value_name = "DATE")]
    pub(crate) signed: Option<String>,
    #[command(flatten)]
    pub(crate) generic: GenericFields,
}

#[derive(Debug, Args)]
pub(crate) struct ProjectFields {
    /// Title
    #[arg(long)]
    pub(crate) title: Option<String>,
    /// First day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub(crate) start: Option<String>,
    /// Last day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub(crate) end: Option<String>,
    /// What the project aims at
    #[arg(long)]
    pub(crate) aims: Option<String>,
    /// Partner organisation (repeatable; replaces the list)
    #[arg(long = "partner", value_name = "ORG")]
    pub(crate) partners: Vec<String>,
    /// Funder (repeatable; replaces the list)
    #[arg(long = "funder", value_name = "ORG")]
    pub(crate) funders: Vec<String>,
    #[command(flatten)]
    pub(crate) generic: GenericFields,
}

fn push(out: &mut Vec<(String, String)>, name: &str, value: &Option<String>) {
    if let Some(v) = value {
        out.push((name.to_owned(), v.clone()));
    }
}

fn push_list(out: &mut Vec<(String, String)>, name: &str, values: &[String]) {
    if !values.is_empty() {
        out.push((name.to_owned(), values.join(",")));
    }
}

impl MemberFields {
    /// The named flags as (field, value) pairs, before the generic `--field`s.
    pub(crate) fn named(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        push(&mut out, "display_name", &self.name);
        push(&mut out, "status", &self.status);
        push(&mut out, "member_since", &self.since);
        push_list(&mut out, "working_groups", &self.groups);
        push(&mut out, "speaks_french", &self.french);
        push(&mut out, "first_name", &self.first_name);
        push(&mut out, "last_name", &self.last_name);
        push(&mut out, "date_of_birth", &self.dob);
        push(&mut out, "phone", &self.phone);
        push(&mut out, "city", &self.city);
        out
    }
}

impl ProjectFields {
    /// The named flags as (field, value) pairs, before the generic `--field`s.
    pub(crate) fn named(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        push(&mut out, "title", &self.title);
        push(&mut out, "period_start", &self.start);
        push(&mut out, "period_end", &self.end);
        push(&mut out, "aims", &self.aims);
        push_list(&mut out, "partners", &self.partners);
        push_list(&mut out, "funders", &self.funders);
        out
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum QuarantineCommand {
    /// Re-admit a device's quarantined work (direction devices, after reviewing it with
    /// `carnet quarantine`): what its revocation, or a removal of its rights, set aside because
    /// it wrote it before hearing of it
    Readmit {
        /// The device (id or its start, as `carnet device list` shows it)
        device: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ErasureCommand {
    /// Erase now the personal files whose retention period has ended (direction devices;
    /// `carnet serve` and `carnet ui` do it by themselves once a day)
    Retention {
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// Each erasure, the devices that confirmed it and those still pending (with their last
    /// sync with this device)
    Status {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Show the policy (role × class)
    Show {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Set what a role may do with a class (direction devices only)
    Set {
        /// The role: member, active-member, roots, mentor, board, staff, direction
        role: String,
        /// The class: pub, com, act, gov, per, sec, agg, coa
        class: String,
        /// none, read or write
        access: String,
    },
    /// Set how long personal files are kept after a member leaves (direction devices only):
    /// MONTHS after her departure date, her personal file is erased on every device (listed by
    /// `carnet todo` 30 days before); `none` (the default) keeps them
    Retention {
        /// A number of months, or none
        #[arg(value_name = "MONTHS|none")]
        months: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum DeviceCommand {
    /// Invite a new device: prints a one-time ticket, then waits (listening) until the new
    /// device joins with `carnet join TICKET` (direction devices only)
    Invite {
        /// Role to grant (repeatable): member, active-member, roots, mentor, board, staff, direction
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The name of the person who will hold the device
        #[arg(long)]
        holder: String,
        /// The city the device will work from
        #[arg(long)]
        city: Option<String>,
        /// The holder signed the confidentiality agreement on this date (YYYY-MM-DD); needed
        /// for personal files
        #[arg(long, value_name = "DATE")]
        agreement: Option<String>,
        /// Minutes before the ticket expires
        #[arg(long, default_value_t = 15, value_name = "MINUTES")]
        expires_in: u64,
        /// Local UDP address to listen on while waiting [default: every interface, on this
        /// device's own port (as `serve`), so the new device finds it again later]
        #[arg(long, value_name = "IP:PORT")]
        bind: Option<String>,
    },

    /// List the organisation's devices, their holders, roles and agreements
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Grant or remove a role (direction devices only)
    Role {
        /// The device: its id, an id prefix, or its holder's name
        device: String,
        /// The role
        role: String,
        /// Remove the role instead of granting it
        #[arg(long)]
        remove: bool,
    },
    /// Record that the device's holder signed the confidentiality agreement, or withdraw it
    /// (direction devices only); personal files need it
    Agreement {
        /// The device: its id, an id prefix, or its holder's name
        device: String,
        /// The date it was signed (YYYY-MM-DD) [default: today]
        #[arg(long, value_name = "DATE", conflicts_with = "withdraw")]
        signed: Option<String>,
        /// Withdraw the agreement
        #[arg(long)]
        withdraw: bool,
    },
    /// Revoke a lost, stolen or departed device: every device refuses it from then on, and
    /// its changes not yet seen here are rejected everywhere (direction devices only)
    Revoke {
        /// The device: its id, an id prefix, or its holder's name
        device: String,
    },
}
