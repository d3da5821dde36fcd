# Carnet — web interface, English.

## Page frame
skip-to-content = Skip to content
switch-language = Français
lock = Lock
nav-label = Main menu
nav-today = Today
nav-members = Members
nav-projects = Projects
nav-activities = Activities
nav-reports = Reports
footer = Carnet runs on this device only: nothing is sent anywhere else, except to the association’s devices when they sync.

## Errors
error-refused = Request refused
error-not-found = Page or record not found
error-bad-form = Unreadable form
error-internal = Something went wrong; try again
error-summary-title = There is a problem

## Passphrase
unlock-title = Open Carnet
unlock-intro = Enter this device’s passphrase to see the records.
unlock-passphrase = Passphrase
unlock-passphrase-hint = The one chosen when Carnet was set up on this device.
unlock-button = Open
unlock-wrong = The passphrase is wrong: nothing was opened.
unlock-cannot-open = Carnet cannot open this device’s records right now (another carnet command may be using them).

## Forms
err-required = Required field: { $field }
err-invalid-date = { $field }: enter a real date as DD/MM/YYYY or YYYY-MM-DD, for example 14/03/2026.
err-invalid-bool = { $field }: choose yes or no.
err-invalid-choice = { $field }: choose one of the values offered.
err-invalid-count = { $field }: enter a whole number, 0 or more.
err-invalid-ref = { $field }: choose a record from the list.
err-invalid-set = { $field }: separate the items with commas, none empty.
err-invalid-text = { $field }: the text is too long or holds characters that are not allowed.
err-future = { $field } cannot be a date in the future.
err-period = { $field } cannot be before { $start }.
err-forbidden = This device may not change the field “{ $field }”.
err-exists = This record already exists.
err-write = Saving failed: nothing was written.
rule-refused = Rule { $rule }: { $summary }. Nothing was saved.
rule-warning = Rule { $rule }: { $summary }.
saved-with-warnings = Saved, with these points to watch
hint-date = As YYYY-MM-DD or DD/MM/YYYY, for example 2026-03-14.
required-mark = (required)
not-said = — not given —
yes = Yes
no = No
no-records = No records.
unknown-record = (record not held on this device)

## The association’s rules
rule-M1 = joining needs a signed member form
rule-M5 = rejoining needs a new member-form signature dated after leaving
rule-M6 = expulsion is final: an expelled person is never re-admitted
rule-A1 = becoming active needs membership, a signed active-member form and Roots acceptance
rule-A2 = a mentor is chosen after the Roots vote
rule-A8 = two months without working-group participation flags the person for Roots and prefet review
rule-A9 = two months without news calls for a welfare check-in first, never an automatic drop
rule-A10 = dropping an active member needs a meeting and a vote
rule-D1 = two prefets, active members, at least one French speaker, mandates of six months
rule-D2 = two spokespersons, active members, at least one French speaker, with recorded exposure consent
rule-D3 = a general assembly every six months; mandates renewed before they expire
rule-D4 = a resignation needs a prior conversation with a Roots member
rule-D6 = the board has 7 to 9 seats, at least half held by active members
rule-C1 = coalition decisions: consensus, or one vote per organisation and 50%+1
rule-C2 = an organisation joins the coalition with two endorsements and reviews by two other members
rule-C3 = a survivor member needs an agency’s endorsement of readiness
rule-C4 = removal needs prior notice, a 50%+1 vote without the organisation, and an outcome signed by two members
rule-C5 = attending under two thirds of the year’s coalition meetings means automatic withdrawal

## Record sections
class-pub = Public information
class-com = Association information
class-act = Working information (active members and staff)
class-gov = Roots deliberations
class-per = Personal file — confidential
class-sec = Security
class-agg = Aggregate figures
class-coa = Coalition
personal-notice = Confidential: do not copy it elsewhere, and share it only with people who signed the confidentiality agreement.

## Members
f-member-display_name = Display name
    .hint = The name members see; may be a pseudonym.
f-member-status = Status
    .hint = Where the person stands in the association.
f-member-member_since = Member since
    .hint = Date the rules were signed. Empty: today.
f-member-working_groups = Working groups
    .hint = Separated by commas, for example: advocacy, media.
f-member-speaks_french = Speaks French
    .hint = Matters for prefet and spokesperson mandates.
f-member-left_on = Left on
    .hint = Date of leaving or expulsion; filled in when the status changes.
f-member-active_since = Active member since
    .hint = Date the person became an active member.
f-member-last_contact = Last news
    .hint = After two months without news, Carnet reminds you to get in touch.
f-member-first_name = Legal first name
    .hint = As on identity papers.
f-member-last_name = Legal last name
    .hint = As on identity papers.
f-member-date_of_birth = Date of birth
    .hint = Also tells whether the person is a minor.
f-member-nationality = Nationality
    .hint = Never exported nor shown in reports.
f-member-phone = Phone or messaging
    .hint = Number or messaging handle.
f-member-address = Address
    .hint = Postal address.
f-member-city = City
    .hint = City of residence.
f-member-immigration_status = Immigration status
    .hint = Residence permit or pending application. Never exported.
f-member-referring_organisation = Referring organisation
    .hint = The charity that referred the person to us, if any.
f-member-case_notes = Case notes
    .hint = Staff notes, without needless detail.
c-member-status-prospect = In contact
c-member-status-member = Member
c-member-status-active = Active member
c-member-status-left = Left
c-member-status-expelled = Expelled
members-title = Members
members-add = Add a member
members-edit = Edit the record
members-one = Member record

## Projects
f-project-title = Title
    .hint = The project’s name, as it may be published.
f-project-period_start = Start
    .hint = First day of the project.
f-project-period_end = End
    .hint = Last day of the project.
f-project-aims = Aims
    .hint = What the project wants to achieve.
f-project-partners = Partners
    .hint = Partner organisations, separated by commas.
f-project-funders = Funders
    .hint = Separated by commas.
f-project-targets = Targets
    .hint = For example: 10 families rehoused over 2 years.
f-project-progress = Progress
    .hint = Where the project stands against its targets.
projects-title = Projects
projects-add = Add a project
projects-edit = Edit the project
projects-one = Project

## Activities
f-activity-title = Title
    .hint = For example: Tuesday talking group.
f-activity-type = Kind of activity
    .hint = Choose the closest kind.
f-activity-date = Date
    .hint = The day of the activity.
f-activity-audience = Audience
    .hint = All members, or active members only.
f-activity-topic = Topic
    .hint = What it is about.
f-activity-project = Project
    .hint = The project the activity belongs to.
f-activity-group = Working group
    .hint = The group organising it.
f-activity-guests = Guests
    .hint = Organisations or roles, separated by commas; no names.
f-activity-venue = Venue
    .hint = Told to invitees only.
f-activity-present = Present
    .hint = Tick each person present.
f-activity-excused = Excused
    .hint = Absent with a justification.
f-activity-absent = Absent
    .hint = Absent without a justification.
f-activity-excuses = Justifications
    .hint = One per line.
c-activity-type-talking-group = Talking group
c-activity-type-workshop = Workshop
c-activity-type-training = Training
c-activity-type-art-therapy = Art therapy
c-activity-type-podcast = Podcast recording
c-activity-type-outreach = Outreach
c-activity-type-law-access = Law-access consultation
c-activity-type-party = Party or retreat
c-activity-type-celebration = Celebration
c-activity-type-send-off = Send-off
c-activity-type-meeting = Meeting
c-activity-audience-all = All members
c-activity-audience-active = Active members only
activities-title = Activities
activities-add = Add an activity
activities-edit = Edit the activity
activities-one = Activity

## Signatures, applications, mandates
nav-mandates = Mandates
member-steps = This person's steps
member-steps-none = No signature, application or mandate recorded.
add-signature = Record a signature
add-application = Record an application
add-mandate = Record a mandate
f-signature-person = Person
    .hint = The person who signed.
f-signature-form = Form
    .hint = Member form, or active-member form.
f-signature-signed_on = Signed on
    .hint = The day the rules were signed.
f-signature-version = Version of the rules
    .hint = For example: 2026-01.
f-signature-staff_meeting_on = Meeting with staff
    .hint = Date of the meeting with staff before signing.
f-signature-scan_location = Where the original is kept
    .hint = Binder or folder holding the signed paper or its scan.
c-signature-form-member = Member form
c-signature-form-active = Active-member form
signatures-title = Signatures of the rules
signatures-add = Record a signature
signatures-edit = Edit the signature
signatures-one = Signature of the rules
f-application-person = Person
    .hint = The person applying to become an active member.
f-application-welcome_meeting_on = Welcome meeting
    .hint = Date of the welcome meeting.
f-application-interviewers = Interview held by
    .hint = The Roots members who held the interview.
f-application-form_signed_on = Form signed on
    .hint = Date the active-member form was signed.
f-application-card_number = Card number
    .hint = Number of the active-member card.
f-application-card_issued_on = Card issued on
    .hint = Date the card was handed over.
f-application-vote_on = Roots vote on
    .hint = Date of the Roots vote.
f-application-decision = Decision
    .hint = What the Roots vote decided.
f-application-mentor = Mentor
    .hint = Chosen after the Roots vote.
f-application-channels_added = Added to the channels
    .hint = Added to the active members' communication channels.
f-application-introduction_done = Introduced to the active members
    .hint = The introduction to the active members took place.
f-application-roots_report = Report to Roots
    .hint = The interviewers' report.
c-application-decision-pending = Pending
c-application-decision-accepted = Accepted
c-application-decision-refused = Refused
applications-title = Active-member applications
applications-add = Record an application
applications-edit = Edit the application
applications-one = Active-member application
f-mandate-role = Mandate
    .hint = The mandate held.
f-mandate-holder = Holder
    .hint = The person holding the mandate.
f-mandate-start = Start
    .hint = First day of the mandate.
f-mandate-end = End
    .hint = Last day (six months for prefets).
f-mandate-elected_at = Elected at
    .hint = The general assembly that elected or presented the holder.
f-mandate-renewed_on = Renewed on
    .hint = Date of the last renewal.
f-mandate-resigned_on = Resigned on
    .hint = Date of a resignation, if any.
f-mandate-roots_consulted = Roots consulted
    .hint = A Roots member was consulted before the resignation.
f-mandate-available = Available
    .hint = The holder is available for the mandate (spokespersons).
f-mandate-exposure_consent_on = Consent to exposure
    .hint = Date the spokesperson consented to public exposure.
f-mandate-exposure_limits = Limits on exposure
    .hint = What the spokesperson will not show: name, face, voice…
c-mandate-role-spokesperson = Spokesperson
c-mandate-role-prefet = Prefet
c-mandate-role-board = Board seat
c-mandate-role-president = President
c-mandate-role-secretary = Secretary
c-mandate-role-treasurer = Treasurer
c-mandate-role-coalition-chair = Coalition chair
mandates-title = Mandates
mandates-add = Record a mandate
mandates-edit = Edit the mandate
mandates-one = Mandate
attendance = Attendance
    .hint = For each person: present, excused (absent with a justification) or absent.
attendance-none = Not noted
attendance-present = Present
attendance-excused = Excused
attendance-absent = Absent

## Mentorships, working groups, assemblies, votes, partners, coalition meetings, referrals,
## welfare check-ins (imported and exported from Administration)
f-mentorship-mentee = Mentee
    .hint = The member mentored.
f-mentorship-mentor = Mentor
    .hint = The member who mentors her.
f-mentorship-status = Status
    .hint = Whether the mentorship goes on.
f-mentorship-started_on = Started on
    .hint = First day of the mentorship.
f-mentorship-ended_on = Ended on
    .hint = Last day of the mentorship.
f-mentorship-notes = Notes
    .hint = Brief notes, never personal-file content.
c-mentorship-status-active = Going on
c-mentorship-status-ended = Ended
f-group-name = Name
    .hint = The working group's name.
f-group-area = Area
    .hint = What the group works on.
f-group-members = Members of the group
    .hint = The people in the group.
f-group-applicants = Applicants
    .hint = Members who applied to join the group.
f-group-minutes = Minutes
    .hint = Minutes of the group's meetings.
c-group-area-community-organising = Community organising
c-group-area-advocacy = Advocacy
c-group-area-media = Media
c-group-area-social-work = Social work
c-group-area-support-groups = Support groups
c-group-area-partnerships = Partnerships
c-group-area-roots = Roots
c-group-area-peer-to-peer = Peer to peer
f-assembly-title = Title
    .hint = For example: General assembly, spring 2026.
f-assembly-date = Date
    .hint = The day it was held.
f-assembly-agenda = Agenda
    .hint = The items planned.
f-assembly-minutes = Minutes
    .hint = What was said and decided.
f-assembly-headcount = People present
    .hint = How many.
f-vote-title = Motion
    .hint = What is voted on.
f-vote-kind = Kind of vote
    .hint = Election, admission, drop, expulsion, coalition decision…
f-vote-held_on = Held on
    .hint = The day of the vote.
f-vote-assembly = General assembly
    .hint = The general assembly the vote was held at, if any.
f-vote-electorate = Electorate
    .hint = For example: active members, member organisations.
f-vote-threshold = Threshold
    .hint = What it takes for the motion to pass.
f-vote-eligible = Eligible voters
    .hint = How many people or organisations may vote.
f-vote-votes_for = For
    .hint = Votes for.
f-vote-votes_against = Against
    .hint = Votes against.
f-vote-abstentions = Abstentions
    .hint = How many abstained.
f-vote-result = Result
    .hint = What was decided.
f-vote-subject_member = Member concerned
    .hint = The person the vote is about (admission, drop, expulsion).
f-vote-subject_partner = Organisation concerned
    .hint = The organisation the vote is about (coalition votes).
f-vote-voters = Organisations that voted
    .hint = The organisations that voted (coalition votes).
f-vote-excluded = Organisations excluded from the vote
    .hint = The organisations that could not vote.
f-vote-outcome_signed_by = Outcome signed by
    .hint = The organisations that signed the written outcome.
f-vote-deliberation = Deliberation
    .hint = What was said about a named person; confidential.
c-vote-kind-election = Election
c-vote-kind-admission = Admission as an active member
c-vote-kind-drop = Drop of an active member
c-vote-kind-expulsion = Expulsion
c-vote-kind-coalition-decision = Coalition decision
c-vote-kind-coalition-admission = Admission to the coalition
c-vote-kind-coalition-removal = Removal from the coalition
c-vote-kind-other = Other
c-vote-threshold-consensus = Consensus
c-vote-threshold-majority = Majority (50% + 1)
c-vote-threshold-two-thirds = Two thirds
c-vote-result-pending = Pending
c-vote-result-consensus = Consensus reached
c-vote-result-passed = Passed
c-vote-result-rejected = Rejected
f-partner-name = Name
    .hint = The organisation's name.
f-partner-sector = Sector
    .hint = Police, health, housing, charity…
f-partner-public_contact = Public contact
    .hint = Its public address or number.
f-partner-relationship = Relationship
    .hint = Partner, funder, coalition: separated by commas.
f-partner-coalition_status = Coalition status
    .hint = Where the organisation stands in the coalition.
f-partner-survivor_member = Survivor member
    .hint = A survivor member of the coalition rather than an organisation.
f-partner-endorsed_by = Endorsed by
    .hint = Member organisations whose senior signatory endorsed the application.
f-partner-reviewed_by = Reviewed by
    .hint = Member organisations that reviewed the application.
f-partner-readiness_endorsed_by = Readiness endorsed by
    .hint = The agency that vouches for a survivor member's readiness.
f-partner-joined_on = Joined the coalition on
    .hint = The day the organisation joined the coalition.
f-partner-removal_notice_on = Removal notice on
    .hint = The day the organisation was given notice, with reasons, of a vote on its removal.
f-partner-representatives = Representatives
    .hint = Its representatives' roles (primary, delegate), separated by commas.
c-partner-coalition_status-applicant = Applicant
c-partner-coalition_status-member = Member
c-partner-coalition_status-withdrawn = Withdrawn
c-partner-coalition_status-removed = Removed
c-partner-coalition_status-refused = Refused
f-meeting-title = Title
    .hint = The coalition meeting.
f-meeting-date = Date
    .hint = The day it was held.
f-meeting-attendance = Organisations present
    .hint = An organisation represented by a delegate counts as present.
f-meeting-agenda = Agenda
    .hint = The items planned.
f-meeting-minutes_status = Minutes
    .hint = Draft, circulated or approved.
f-meeting-action_items = Action items
    .hint = For each: who, by when, where it stands.
c-meeting-minutes_status-draft = Draft
c-meeting-minutes_status-circulated = Circulated
c-meeting-minutes_status-approved = Approved
f-referral-destination = Service
    .hint = Where the person is referred to, or from.
f-referral-direction = Direction
    .hint = A referral the association received, or one it made.
f-referral-referred_on = Referred on
    .hint = The day of the referral.
f-referral-decided_on = Decided on
    .hint = The day the service answered.
f-referral-status = Status
    .hint = Open, accepted, refused or closed.
f-referral-project = Project
    .hint = The project the referral belongs to.
f-referral-person = Person
    .hint = The member referred.
f-referral-partner = Organisation
    .hint = The organisation the person is referred to, or from.
f-referral-consent = Consent
    .hint = The consent given: what is passed on, to whom, when.
f-referral-notes = Staff notes
    .hint = No needless detail.
c-referral-destination-acse = Ac.Sé protection scheme
c-referral-destination-psp = Exit programme (PSP)
c-referral-destination-lawyer = Lawyers
c-referral-destination-housing = Housing
c-referral-destination-psychologist = Psychologist
c-referral-destination-coalition-partner = Coalition partner
c-referral-destination-charity = Another charity
c-referral-destination-other = Other
c-referral-direction-inbound = Received by the association
c-referral-direction-outbound = Made by the association
c-referral-status-open = Open
c-referral-status-accepted = Accepted
c-referral-status-refused = Refused
c-referral-status-closed = Closed
f-welfare-person = Person
    .hint = The member checked on.
f-welfare-checked_on = Checked on
    .hint = The day of the check-in.
f-welfare-outcome = Outcome
    .hint = Safe, wants to leave, unreachable or in danger.
c-welfare-outcome-safe = Safe
c-welfare-outcome-wants-to-leave = Wants to leave the association
c-welfare-outcome-unreachable = Unreachable
c-welfare-outcome-danger = In danger

## Lists and records
filter-status = Status
filter-group = Working group
filter-all = All
filter-apply = Filter
search-label = Search a name
search-hint = The list narrows as you type.
search-button = Search
records-count = { $n ->
    [one] { $n } record
   *[other] { $n } records
}
unnamed = (no name)
edit = Edit
save = Save
cancel = Cancel
history-link = History
not-given = not given

## Today
today-title = Today
today-date = Today is { $date }.
today-todo = To do and to check
today-nothing = Nothing needs attention today.
severity-block = Rule broken
severity-warn = Warning
severity-remind = Reminder
due = (due { $date })
todo-a2-mentor = An accepted application has no mentor yet: choose one and record her in the application (or record an ongoing mentorship of this person).
todo-a8-groups = No presence at a working-group activity for two months: flag this person to Roots and the prefets, so that they talk it over with her.
todo-a9-news = No news for two months: check in on this person first and note it; never drop her automatically: she leaves only if she wishes.
todo-seats-too-many = { $n } { $seat ->
    [prefet] prefets
   *[other] spokespersons
} hold the role at once: it is held by two people; decide which mandates stand, and end the others or record a resignation.
todo-seats-missing = { $seat ->
    [prefet] { $n ->
        [one] { $n } current prefet
       *[other] { $n } current prefets
    }
   *[other] { $n ->
        [one] { $n } current spokesperson
       *[other] { $n } current spokespersons
    }
}, two are needed: choose { $missing ->
    [one] one person
   *[other] { $missing } people
} among the active members and present the choice at the general assembly.
todo-seats-french = No current { $seat ->
    [prefet] prefet
   *[other] spokesperson
} speaks French: at least one of the two must.
todo-seat-inactive = The holder of this current { $seat ->
    [prefet] prefet
   *[other] spokesperson
} mandate is no longer an active member: record the end of the mandate and choose a successor.
todo-d2-unavailable = This spokesperson is recorded as not available: talk it over with her and, if she wishes, consult a Roots member about a resignation and a successor.
todo-d3-no-assembly = No general assembly is recorded: hold one every six months, where mandates are presented and spokespersons elected.
todo-d3-assembly-due = The next general assembly { $is ->
    [was] was
   *[other] is
} due by { $due }, six months after the one of { $last }: plan it and prepare the mandates to renew.
todo-d3-mandate-ends = { $role ->
    [none] This mandate
   *[other] The “{ $role }” mandate
} ends on { $end }: renew it or choose a successor, at a general assembly where needed.
todo-d6-too-many = { $n } board seats are held at once: the board has at most 9; decide which mandates stand and end the others.
todo-d6-too-few = { $n ->
    [one] { $n } current board seat
   *[other] { $n } current board seats
}: the board has 7 to 9; elect the missing members at the general assembly.
todo-d6-active = Board seats held by active members: { $active } of { $n }; at least half must be.
todo-c5-withdrawal = Attended { $attended } of { $n } coalition { $n ->
    [one] meeting
   *[other] meetings
} in the last 12 months, under two thirds: the coalition's terms of reference assume automatic withdrawal; tell the organisation and record its coalition status as “Withdrawn”.
todo-go-mentor = Record her mentor
todo-go-member = See her record
todo-go-news = Note her news
todo-go-mandates = See the mandates
todo-go-new-mandate = Record a mandate
todo-go-end-mandate = Record the end of the mandate
todo-go-mandate = See the mandate
todo-go-renew = Renew or end the mandate
todo-retention = Retention
todo-retention-soon = Her personal file will be erased on { $date }, at the end of the retention period. If she asks for a copy, make it before then.
todo-retention-due = The retention period of her personal file has ended: a direction device where Carnet is open erases it by itself.
todo-go-retention = See the planned erasures
today-activities = Activities this fortnight
today-no-activities = No activity in the two weeks around today.
today-present = { $n } present
today-peers = Sync with the other devices
today-no-peers = This device has not synced with any other yet.
peer-device = Device (holder)
peer-last-sync = Last successful sync
peer-result = Last attempt
peer-ok = Succeeded
peer-failed = Failed
peer-figures = Last sync: received, sent, refused
peer-moved = { $received } received, { $sent } sent, { $refused } refused
never = Never
kind-member = Member
kind-project = Project
kind-signature = Signature
kind-application = Application
kind-mentorship = Mentorship
kind-group = Working group
kind-activity = Activity
kind-mandate = Mandate
kind-assembly = General assembly
kind-vote = Vote
kind-partner = Partner
kind-meeting = Coalition meeting
kind-referral = Referral
kind-welfare = Welfare check-in

## History
history-title = Record history
back-to-record = Back to the record
history-when = When
history-who = Who
history-fields = Fields changed
history-signature = Signature
signature-verified = Signature verified
signature-rejected = Refused by the access rules
signature-unverified = NOT VERIFIED

## Reports
reports-title = Reports
report-from = From
report-to = To
report-reversed = The end date is before the start date.
report-project = Project
report-all-projects = All projects
report-run = Show the report
report-period = Period from { $from } to { $to }.
report-suppressed = Counts under { $n } are shown as “<{ $n }” so that nobody can be identified.
report-csv = Download as CSV
report-section = Section
report-file = report.csv
report-indicator = Indicator
report-value = Value
chart-label = Bar chart: { $title }
not-applicable = n/a
rep-membership = Membership
rep-active = Active members at the end of the period
rep-not-active = Members not active at the end of the period
rep-former = Former members at the end of the period
rep-joins = Joins in the period
rep-rejoins = Rejoins in the period
rep-departures = Departures in the period
rep-new-active = New active members in the period
rep-project = Project: { $title }
rep-sessions = Sessions
rep-participants = Distinct participants
rep-attendances = Attendances (present)
rep-mean-attendance = Mean attendances per session
rep-activities = Activities
rep-talking-groups = Talking groups held
rep-referrals = Referrals
rep-referrals-to = { $destination }: referrals
rep-mean-days-to = { $destination }: mean days to decision
rep-dest-acse = Ac.Sé protection scheme
rep-dest-psp = Exit programme (PSP)
rep-dest-lawyer = Lawyers
rep-dest-housing = Housing
rep-dest-psychologist = Psychologist
rep-dest-coalition-partner = Coalition partner
rep-dest-charity = Another charity
rep-dest-other = Other
rep-governance = Governance
rep-assemblies = General assemblies held

## Administration
nav-admin = Administration
admin-title = Running the association
admin-devices = The association's devices; invite a new device, remove one.
admin-sync = When each device last synced; sync now.
admin-quarantine = Changes refused by the access rules, and why.
admin-erasure = Erase a person on every device (GDPR) and follow the confirmations.
admin-settings = Language, locking, passphrase, retention period, access rights.
role-member = Member
role-active-member = Active member
role-roots = Roots
role-mentor = Mentor
role-board = Board
role-staff = Staff
role-direction = Direction
access-none = —
access-read = Read
access-write = Read and write
settings-title = Settings
settings-language = Language of the interface
settings-language-now = The language chosen applies to this device.
settings-lock = Automatic lock
settings-lock-now = The interface asks for the passphrase again after { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
} without activity.
settings-passphrase = Change the passphrase
settings-passphrase-intro = This device's passphrase only. Other devices keep theirs.
settings-passphrase-current = Current passphrase
settings-passphrase-new = New passphrase
settings-passphrase-new-hint = At least 8 characters; a phrase of several words is safer and easier to remember.
settings-passphrase-again = New passphrase, a second time
settings-passphrase-change = Change the passphrase
settings-passphrase-short = The new passphrase must have at least 8 characters.
settings-passphrase-differ = The two new passphrases are not the same.
settings-passphrase-changed = Passphrase changed: use the new one from now on.
settings-retention = How long personal files are kept
settings-retention-now = Personal files are erased { $months ->
    [one] { $months } month
   *[other] { $months } months
} after a member leaves.
settings-retention-none = No period set: the personal files of people who left are kept.
settings-retention-months = Months after leaving
settings-retention-hint = Empty or 0: no period. Carnet warns 30 days before each erasure.
settings-retention-bad = Write a number of months (1 to 600), or leave it empty.
settings-retention-saved = Retention period saved; it applies on every device after they sync.
settings-policy = Who may read and write what
settings-policy-intro = Each role's rights on each kind of information. The personal file and security also need the signed confidentiality agreement.
settings-policy-role = Role
sync-title = Sync
sync-intro = Devices sync by themselves when they are on the same network. Here is the last sync with each.
sync-now = Sync now
sync-started = Sync started with the known devices; reload the page in a moment to see the result.
quarantine-title = Quarantine
quarantine-intro = Changes received that the access rules refused. They are neither applied nor passed on.
quarantine-empty = The quarantine is empty: no change was refused.
quarantine-what = Record
quarantine-why = Why
quarantine-registry = Registry of devices
quarantine-revoked = Written by a removed device, after its removal.
quarantine-erased = About a person who was erased.
quarantine-forbidden = Its author was not allowed to write this kind of information.
quarantine-signature = Invalid signature: the change may be forged.
quarantine-other = Refused by the access rules.
erasure-title = Erasure
erasure-erase = Erase a person
erasure-warning = Erasing destroys the person's file, her history and every record about her, on every device, at its next sync. It cannot be undone.
erasure-keeps = What an erasure keeps: her record's id, which names nobody any more; the date, the direction device that made it and the reason (write it without a name); her id in lists of people, such as attendance, so that reports' counts stay true; and, for an expelled person, her M6 markers — fingerprints of her names and date of birth, good only for recognising the same names typed again — so that she is never re-admitted (rule M6).
erasure-person = Person to erase
erasure-reason = Reason
erasure-reason-hint = The request the erasure answers, for example "art. 17 request of 01/12/2026". No name.
erasure-reason-missing = Say why the person is erased.
erasure-confirm = To confirm, type { $word }
erasure-confirm-hint = This word prevents an erasure by mistake.
erasure-confirm-word = ERASE
erasure-confirm-wrong = The confirmation word does not match: nothing was erased.
erasure-choose = Choose the person to erase.
erasure-button = Erase for good
erasure-done = Erasure recorded on this device. The other devices erase at their next sync and send a signed confirmation.
erasure-list = Erasures and confirmations
erasure-none = No erasure.
erasure-confirmed = Confirmed by
erasure-pending = Not yet confirmed by
erasure-receipts = { $n ->
    [one] { $n } device
   *[other] { $n } devices
}
erasure-all-confirmed = Every device confirmed.
erasure-last-sync = last sync:
erasure-retention = Next erasures set by the retention period
erasure-retention-nothing = No file to erase within 30 days.
devices-title = Devices
devices-invite = Invite a new device
devices-holder = Holder
devices-roles = Roles
devices-city = City
devices-agreement = Confidentiality agreement
devices-no-agreement = not signed
devices-last-seen = Last sync
devices-this-one = this device
devices-status = Status
devices-active = Active
devices-revoked = Removed
devices-revoke = Remove
devices-revoke-title = Remove a device
devices-revoke-warning = Remove { $holder }'s device: every device refuses it as soon as it learns of it. What it changed and has not synced yet will be quarantined. Do it at once for a lost or stolen device.
devices-revoke-refused = This device cannot be removed from here (it is this one, or already removed).
devices-revoked-done = Device removed: the other devices refuse it after they sync.
invite-title = Invite a device
invite-intro = An invitation works once, for 15 minutes. Before the device joins the association, you compare a code shown on both screens.
invite-holder = Holder of the device
invite-holder-hint = The person who will use the device.
invite-holder-missing = Say who will use the device.
invite-roles = Roles
invite-roles-hint = What the device may read and write (see the settings).
invite-roles-missing = Choose at least one role.
invite-city = City
invite-city-hint = The city the device works from (optional).
invite-agreement = Confidentiality agreement signed on
invite-agreement-hint = Needed for personal files. Format DD/MM/YYYY; empty if not signed.
invite-agreement-bad = Write the date as DD/MM/YYYY.
invite-make = Make the invitation
invite-for = Invitation for { $holder }, valid { $minutes } minutes. On the new device, open Carnet and choose "Join", then scan this code or paste the text.
invite-qr = The invitation ticket as a QR code
invite-ticket = Invitation ticket
invite-ticket-hint = For the new device only, handed over in person if possible.
invite-no-network = Sync has not started on this device yet: reload the page in a moment.
invite-waiting = Waiting for the new device…
invite-refresh = Refresh
invite-presented = Device { $device } asks to join
invite-compare = Its screen must show exactly this code:
invite-same = The code is the same: accept
invite-different = The code differs: refuse
invite-leaked = Several devices used this ticket: someone else may have read it. Accept only the code shown on the device in front of you.
invite-confirmed = Code confirmed: device { $device } joins the association.
invite-refused = Refused: this device will not join with this ticket. If the new device shows another code, someone else has the ticket.
invite-joined = Device { $device } joined the association.
invite-expired = This invitation expired or was stopped.

## Join
setup-title = Join the association
setup-intro = This device belongs to no association yet. Paste the invitation ticket direction gave you, then choose this device's passphrase.
setup-ticket-hint = It starts with carnet1. It works once, for 15 minutes.
setup-passphrase = This device's passphrase
setup-join = Join
setup-not-ticket = This is not a Carnet invitation ticket: it starts with carnet1.
setup-mistyped = The ticket was mistyped: a letter is missing or changed. Copy it again.
setup-expired = This ticket is no longer valid (used, expired or stopped): ask for a new one.
setup-failed = The device could not join the association. Check that both devices are on the same network, then try again.
setup-compare = Show this code to the person who invited you: their screen must show the same one.
setup-waiting = Waiting for their confirmation…
setup-connecting = Connecting to the inviting device…
setup-joined = This device joined the association. Unlock it with the passphrase you just chose.
setup-again = Try again

## Delete, merge
delete = Delete
delete-title = Delete or merge
delete-explain = Delete "{ $record }" if it was entered by mistake: it leaves every device's lists and reports; its history keeps who deleted it. This is not an erasure (see Administration › Erasure).
deleted = Record deleted: it leaves the other devices' lists at their next sync.
merge-title = Merge a duplicate
merge-explain = If "{ $record }" is the same person as another record, merge it into the one to keep: her signatures, attendance and other records follow.
merge-keep = Record to keep
merge-button = Merge into that record
merged = Duplicate merged into this record.

## Import and export
admin-import = Bring in a spreadsheet (CSV, .xlsx, .ods): see every line to fix before anything is written.
admin-export = Download the records of a kind as CSV or .xlsx.
transfer-kind = Kind of records
import-title = Import
import-check-title = Import: check the file
import-intro = Choose the kind of records and the file to import. Carnet first shows how it read the file and every line to fix: nothing is written until you click "Import". The whole file is imported, or nothing.
import-file = File to import
import-file-again = Corrected file
import-file-hint = A spreadsheet saved as CSV (separated by semicolons, commas or tabs), .xlsx or .ods; the first line names the columns. { $mb } MB at most.
import-file-other = Another file
import-read = Read the file
import-no-file = Choose the file to import.
import-too-big = The file is larger than { $mb } MB: import it in several parts.
import-gone = The file is no longer in memory (the session was locked or stayed idle): choose it again.
import-read-empty = The file is empty: its first line must name the columns.
import-read-csv = Line { $line }: the file is not readable as CSV (an unclosed quote?). Open it in the spreadsheet and save it again as "CSV UTF-8".
import-read-mixed = Line { $line }: the text mixes two encodings. Open it in the spreadsheet and save it again as "CSV UTF-8".
import-read-workbook = This file is not readable as a spreadsheet (.csv, .xlsx, .ods): save it again from the spreadsheet.
import-read-nosheet = The workbook has no readable sheet.
import-read-json = Line { $line }: the JSON file is not a list of records.
import-read-cell = Line { $line }, column { $column }: the cell holds a spreadsheet error (#REF!, #DIV/0!…).
import-how-read = How the file was read
import-format-csv = CSV text
import-format-workbook = Workbook { $ext }
import-format-json = JSON (a Carnet export)
import-separator = Separator: { $sep }
import-sep-semicolon = semicolon ";"
import-sep-comma = comma ","
import-sep-tab = tab
import-encoding = Encoding: { $enc }
import-rows = { $n ->
    [one] 1 line of data
   *[other] { $n } lines of data
}
import-blank = { $n ->
    [one] 1 blank line skipped.
   *[other] { $n } blank lines skipped.
}
import-dates = Dates: { $how }
import-dates-dmy = DD/MM/YYYY (day, month, year)
import-dates-ymd = YYYY/MM/DD (year, month, day)
import-dates-iso = YYYY-MM-DD
import-dates-cells = the workbook's date cells
import-other = Choose another file
import-other-hint = If this is not the right file, choose another: nothing has been written yet.
import-dates-none = no date column chosen
import-columns = Columns and "{ $kind }" fields
import-columns-hint = For each column, the field it fills. Carnet recognised the titles it knows; choose "do not import" to leave a column out. Here are the file's first lines, numbered as in the spreadsheet.
import-unwritable = Column { $column }: this device may not write "{ $field }"; it will not be imported.
import-to-fix = to fix
import-line = Line
import-line-n = Line { $line }:
import-ignore = — do not import —
import-field-id = Carnet identifier (id)
import-preview-more = … and { $n } more lines.
import-options = Options
import-delimiter = Column separator
import-delimiter-hint = If the preview's columns are cut wrongly, choose the file's separator.
import-delimiter-detected = Detected: { $sep }
import-sheet = Workbook sheet
import-sheet-hint = The workbook has several sheets: the one holding the list.
import-date-order = Order of dates
import-date-order-hint = For dates not written YYYY-MM-DD. A workbook's date cells are read as they are.
import-joined-before = Members who joined before
import-joined-before-hint = For lines without "Member since": the date (DD/MM/YYYY) before which these people were already members. They will not count as joining on the import day in reports.
import-joined-before-bad = Members who joined before: enter a real date as DD/MM/YYYY, for example 01/01/2020.
import-display-name = Display name to compose
import-display-name-hint = For lines without a display name: a column's name, or a template such as {"{"}First name{"}"} {"{"}Last name:initial{"}"}. (which gives "Joy A.").
import-display-name-bad = Display name to compose: every name in braces must be a column of the file.
import-allow-duplicates = Also import possible duplicates
import-allow-duplicates-hint = A line with the same display name and date of birth as a member already recorded, or as another line, is a possible duplicate. Tick only if they really are different people.
import-twice = Column { $column }: the field "{ $field }" is already filled by another column. Choose another field or "do not import".
import-no-column = Choose the field of at least one column.
import-result = Check
import-ready = { $n ->
    [one] All set: the line can be imported.
   *[other] All set: the { $n } lines can be imported.
}
import-ready-taken-over = { $n ->
    [one] With 1 signature or decision taken over from the file (the member's joining date).
   *[other] With { $n } signatures and decisions taken over from the file (each member's joining date).
}
import-nothing-yet = Nothing has been written yet.
import-fix-choices = Correct the choices pointed out, then check again.
import-bad-lines = { $n ->
    [one] 1 line of { $rows } cannot be imported; nothing was written.
   *[other] { $n } lines of { $rows } cannot be imported; nothing was written.
}
import-duplicates = { $n ->
    [one] 1 possible duplicate (see below). If they really are different people, tick "Also import possible duplicates".
   *[other] { $n } possible duplicates (see below). If they really are different people, tick "Also import possible duplicates".
}
import-extra-cell = column { $column } holds something, but the first line gives it no title.
import-bad-date = column { $column } ({ $field }): not a real date; write it DD/MM/YYYY.
import-dup-recorded = same display name and date of birth as a member already recorded (was this file imported before?).
import-dup-line = same display name and date of birth as line { $first }.
import-dup-recorded-fields = same { $fields } as a record already recorded (was this file imported before?).
import-dup-line-fields = same { $fields } as line { $first }.
import-file-imported = this file was already imported as this kind of record, on { $date }. If that is what you want, tick "Also import possible duplicates".
import-bad-id = the "id" column does not hold a Carnet identifier.
import-no-field = the line fills no field.
import-joined-unknown = "Member since" is empty: give the joining date, or fill in "Members who joined before" for every line without it.
import-reference = { $field }: no "{ $kind }" record has that name (or several have).
import-check-again = Check again
import-button = { $n ->
    [one] Import the line
   *[other] Import the { $n } lines
}
import-corrected = Import a corrected file
import-corrected-hint = Fix the lines pointed out in the spreadsheet, save, then choose the file again. If its columns are the same, your choices are kept.
import-done-member = { $n ->
    [one] 1 member imported.
   *[other] { $n } members imported.
}
import-done = { $n ->
    [one] 1 "{ $kind }" record imported.
   *[other] { $n } "{ $kind }" records imported.
}
import-done-taken-over = { $n ->
    [one] 1 signature or decision taken over.
   *[other] { $n } signatures and decisions taken over.
}
export-title = Export
export-intro = Download every record of a kind, as this device may read them. Cells that look like a formula are neutralised.
export-format = Format
export-csv-french = CSV for Excel or LibreOffice in French (";" separator)
export-csv-standard = Standard CSV ("," separator)
export-xlsx = Excel workbook (.xlsx)
export-personal = Include personal files
export-personal-hint = The file will then hold personal data in the clear: keep it on an encrypted disk and delete it after use.
export-button = Download
quarantine-removed = Its author had lost the right to write this kind of information (role, agreement or access rules changed) without having learnt it yet.
quarantine-depends = Follows another refused change.
readmit-title = Re-admit work set aside
readmit-intro = When a device is removed, or loses a right, what it wrote without direction knowing is quarantined. Once you have reviewed it, you may re-admit it.
readmit-device = { $n ->
    [one] { $holder } ({ $device }): 1 change set aside.
   *[other] { $holder } ({ $device }): { $n } changes set aside.
}
readmit-review = Review and re-admit
readmit-page-title = Re-admit a device's work
readmit-what = { $n ->
    [one] 1 change written by { $holder }'s device was set aside by its removal or by a narrowing of its rights. It is listed on the Quarantine page: review it before re-admitting it.
   *[other] { $n } changes written by { $holder }'s device were set aside by its removal or by a narrowing of its rights. They are listed on the Quarantine page: review them before re-admitting them.
}
readmit-warning = Re-admitting accepts them as if they had arrived in time: every device takes them back at its next sync, and each is judged by the rights its author had when writing it. There is no one-click undo: a mistake is then corrected on the record.
readmit-still-revoked = The device stays removed: only the work already done is taken back, nothing it writes later.
readmit-button = Re-admit
readmit-nothing = Nothing to re-admit for { $holder }'s device: none of its changes is quarantined because of its removal or a narrowing of its rights.
readmit-done = { $n ->
    [one] 1 change of { $holder }'s device re-admitted: every device takes it back at its next sync.
   *[other] { $n } changes of { $holder }'s device re-admitted: every device takes them back at its next sync.
}
access-none-words = no access
devices-edit = Change rights
device-edit-title = A device's roles and agreement
device-edit-intro = { $holder }'s device ({ $device }). Its rights come from its roles, by the access rules (Settings page); personal files and security also need the signed confidentiality agreement.
device-edit-this-one = This is this device: you may add a role to it, but not remove one nor withdraw its agreement (it would delete what it holds). Do it from another direction device.
device-edit-roles-hint = Tick every role of the person who uses this device.
device-edit-agreement-hint = Date it was signed, as DD/MM/YYYY. Leave empty if no agreement was signed.
device-edit-withdraw = Withdraw the confidentiality agreement (the person will no longer read personal files)
device-edit-no-role = Tick at least one role. For a device to have no rights at all, remove it from the list of devices.
device-edit-own-role = This device cannot remove its own roles: it would delete records it holds. Do it from another direction device.
device-edit-own-agreement = This device cannot withdraw its own agreement: it would delete the personal files it holds. Do it from another direction device.
device-edit-agreement-future = The date it was signed cannot be in the future.
device-edit-unchanged = Nothing changed: the roles and agreement were already so.
device-edit-confirm-title = Narrow a device's rights
device-edit-narrows = This change takes rights away from { $holder }'s device:
device-edit-lost = { $class }: { $before } → { $after }
device-edit-narrow-warning = As soon as the other devices learn of it, what it writes afterwards relying on these rights is refused (quarantined, and may be re-admitted after review). If it can no longer read personal files, they are deleted from that device at its next sync.
device-edit-confirm = Confirm narrowing the rights
device-edit-back = Back to the form
device-edit-saved = Rights of { $holder }'s device saved: every device applies them after its next sync.
settings-lock-minutes = Idle minutes before locking
settings-lock-hint = From 1 to 60 minutes. For this device, from now on and at the next starts. Shorter is safer on a shared computer.
settings-lock-bad = Write a whole number of minutes, from 1 to 60.
settings-lock-saved = Automatic lock set to { $minutes ->
    [one] { $minutes } idle minute
   *[other] { $minutes } idle minutes
}.
settings-policy-edit-hint = Direction: choose each role's right on each kind of information, then save. A narrowing of rights is summed up for you before it is saved.
settings-policy-save = Save the access rules
settings-policy-unchanged = Nothing changed: the access rules were already so.
settings-policy-confirm-title = Narrow rights
settings-policy-narrows = These changes take rights away:
settings-policy-lost = { $role }, { $class }: { $before } → { $after }
settings-policy-losing = Devices that lose a right: { $devices }.
settings-policy-nobody = No current device loses a right (none has these roles, or another of its roles gives it).
settings-policy-this-device = { $holder } (this device)
settings-policy-also = { $n ->
    [one] 1 other change widens a right.
   *[other] { $n } other changes widen rights.
}
settings-policy-confirm = Confirm and save the access rules
settings-policy-saved = { $n ->
    [one] Access rules saved (1 change): every device applies them after its next sync.
   *[other] Access rules saved ({ $n } changes): every device applies them after its next sync.
}
access-short-none = None
access-short-read = Read
access-short-write = Write
settings-policy-short = None: nothing reaches the device. Read: read only. Write: read and write.
settings-policy-warning = As soon as a device learns of it, what it writes afterwards relying on a right taken away is refused (quarantined, and may be re-admitted after review). A device that can no longer read personal files deletes them at its next sync.
devices-actions = Actions
