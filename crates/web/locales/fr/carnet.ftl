# Carnet — interface web, français (langue par défaut). Vouvoiement, dates JJ/MM/AAAA.

## Cadre des pages
skip-to-content = Aller au contenu
switch-language = English
lock = Verrouiller
nav-label = Menu principal
nav-today = Aujourd’hui
nav-members = Membres
nav-projects = Projets
nav-activities = Activités
nav-reports = Rapports
footer = Carnet fonctionne sur cet appareil seulement : rien n’est envoyé ailleurs, sauf aux appareils de l’association lors des synchronisations.

## Erreurs
error-refused = Requête refusée
error-not-found = Page ou fiche introuvable
error-bad-form = Formulaire illisible
error-internal = Une erreur est survenue ; réessayez
error-summary-title = Il y a un problème

## Phrase de passe
unlock-title = Ouvrir Carnet
unlock-intro = Saisissez la phrase de passe de cet appareil pour voir les fiches.
unlock-passphrase = Phrase de passe
unlock-passphrase-hint = Celle choisie à l’installation de Carnet sur cet appareil.
unlock-button = Ouvrir
unlock-wrong = La phrase de passe est incorrecte : rien n’a été ouvert.
unlock-cannot-open = Carnet ne peut pas ouvrir les fiches de cet appareil pour le moment (une autre commande carnet les utilise peut-être).

## Formulaires
err-required = Champ obligatoire : { $field }
err-invalid-date = { $field } : saisissez une date réelle au format JJ/MM/AAAA, par exemple 14/03/2026.
err-invalid-bool = { $field } : choisissez oui ou non.
err-invalid-choice = { $field } : choisissez une des valeurs proposées.
err-invalid-count = { $field } : saisissez un nombre entier, 0 ou plus.
err-invalid-ref = { $field } : choisissez une fiche de la liste.
err-invalid-set = { $field } : séparez les éléments par des virgules, sans élément vide.
err-invalid-text = { $field } : le texte est trop long ou contient des caractères non permis.
err-future = { $field } ne peut pas être une date future.
err-period = { $field } ne peut pas être avant { $start }.
err-forbidden = Cet appareil ne peut pas modifier le champ « { $field } ».
err-exists = Cette fiche existe déjà.
err-write = L’enregistrement a échoué : rien n’a été écrit.
rule-refused = Règle { $rule } : { $summary }. Rien n’a été enregistré.
rule-warning = Règle { $rule } : { $summary }.
saved-with-warnings = Enregistré, avec ces points d’attention
hint-date = Format JJ/MM/AAAA, par exemple 14/03/2026.
required-mark = (obligatoire)
not-said = — non renseigné —
yes = Oui
no = Non
no-records = Aucune fiche.
unknown-record = (fiche non disponible sur cet appareil)

## Règles de l’association
rule-M1 = adhérer demande un formulaire de membre signé
rule-M5 = réadhérer demande une nouvelle signature datée après le départ
rule-M6 = l’exclusion est définitive : une personne exclue n’est jamais réadmise
rule-A1 = devenir membre actif demande d’être membre, le formulaire de membre actif signé et l’accord de Roots
rule-A2 = un·e mentor est choisi·e après le vote de Roots
rule-A8 = deux mois sans participation à un groupe de travail : revue par Roots et les préfets
rule-A9 = deux mois sans nouvelles : d’abord prendre des nouvelles, jamais de radiation automatique
rule-A10 = retirer un membre actif demande une réunion et un vote
rule-D1 = deux préfets, membres actifs, dont au moins un francophone, mandats de six mois
rule-D2 = deux porte-parole, membres actifs, dont au moins un francophone, avec consentement à l’exposition enregistré
rule-D3 = une assemblée générale tous les six mois ; renouveler les mandats avant leur fin
rule-D4 = une démission demande d’abord une conversation avec un membre de Roots
rule-D6 = le conseil compte de 7 à 9 sièges, dont au moins la moitié tenus par des membres actifs
rule-C1 = décisions de la coalition : consensus, ou une voix par organisation et 50 % + 1
rule-C2 = une organisation rejoint la coalition avec deux parrainages et deux examens par d’autres membres
rule-C3 = une survivante membre doit avoir l’appui d’une structure attestant qu’elle est prête
rule-C4 = un retrait de la coalition demande un préavis, un vote à 50 % + 1 sans l’organisation et une décision signée par deux membres
rule-C5 = moins des deux tiers des réunions de l’année : retrait automatique de la coalition

## Sections des fiches
class-pub = Informations publiques
class-com = Informations de l’association
class-act = Informations de travail (membres actifs et équipe)
class-gov = Délibérations de Roots
class-per = Dossier personnel — confidentiel
class-sec = Sécurité
class-agg = Chiffres agrégés
class-coa = Coalition
personal-notice = Informations confidentielles : ne les recopiez pas ailleurs et ne les partagez qu’avec les personnes qui ont signé l’accord de confidentialité.

## Membres
f-member-display_name = Nom affiché
    .hint = Le nom que voient les membres ; un pseudonyme est possible.
f-member-status = Statut
    .hint = Où en est la personne dans l’association.
f-member-member_since = Membre depuis
    .hint = Date de signature du règlement. Vide : aujourd’hui.
f-member-working_groups = Groupes de travail
    .hint = Séparés par des virgules, par exemple : plaidoyer, médias.
f-member-speaks_french = Parle français
    .hint = Utile pour les mandats de préfet et de porte-parole.
f-member-left_on = Date de départ
    .hint = Date du départ ou de l’exclusion ; remplie automatiquement au changement de statut.
f-member-active_since = Membre actif depuis
    .hint = Date à laquelle la personne est devenue membre active.
f-member-last_contact = Dernières nouvelles
    .hint = Après deux mois sans nouvelles, Carnet rappelle de prendre contact.
f-member-first_name = Prénom légal
    .hint = Tel qu’il figure sur les papiers d’identité.
f-member-last_name = Nom légal
    .hint = Tel qu’il figure sur les papiers d’identité.
f-member-date_of_birth = Date de naissance
    .hint = Sert aussi à savoir si la personne est mineure.
f-member-nationality = Nationalité
    .hint = Jamais exportée ni montrée dans les rapports.
f-member-phone = Téléphone ou messagerie
    .hint = Numéro ou identifiant de messagerie.
f-member-address = Adresse
    .hint = Adresse postale.
f-member-city = Ville
    .hint = Ville de résidence.
f-member-immigration_status = Situation administrative
    .hint = Titre de séjour ou démarche en cours. Jamais exportée.
f-member-referring_organisation = Structure qui a orienté la personne
    .hint = L’association qui l’a orientée vers nous, s’il y en a une.
f-member-case_notes = Notes de suivi
    .hint = Notes de l’équipe, sans détail inutile.
c-member-status-prospect = En contact
c-member-status-member = Membre
c-member-status-active = Membre actif
c-member-status-left = Partie
c-member-status-expelled = Exclue
members-title = Membres
members-add = Ajouter un membre
members-edit = Modifier la fiche
members-one = Fiche de membre

## Projets
f-project-title = Titre
    .hint = Le nom du projet, tel qu’il peut être publié.
f-project-period_start = Début
    .hint = Premier jour du projet.
f-project-period_end = Fin
    .hint = Dernier jour du projet.
f-project-aims = Objectifs
    .hint = Ce que le projet veut obtenir.
f-project-partners = Partenaires
    .hint = Organisations partenaires, séparées par des virgules.
f-project-funders = Financeurs
    .hint = Séparés par des virgules.
f-project-targets = Cibles
    .hint = Par exemple : 10 familles relogées en 2 ans.
f-project-progress = Avancement
    .hint = Où en est le projet par rapport à ses cibles.
projects-title = Projets
projects-add = Ajouter un projet
projects-edit = Modifier le projet
projects-one = Projet

## Activités
f-activity-title = Titre
    .hint = Par exemple : Groupe de parole du mardi.
f-activity-type = Type d’activité
    .hint = Choisissez le type le plus proche.
f-activity-date = Date
    .hint = Le jour de l’activité.
f-activity-audience = Public
    .hint = Tous les membres, ou les membres actifs seulement.
f-activity-topic = Thème
    .hint = Le sujet abordé.
f-activity-project = Projet
    .hint = Le projet auquel l’activité se rattache.
f-activity-group = Groupe de travail
    .hint = Le groupe qui l’organise.
f-activity-guests = Invités
    .hint = Organisations ou fonctions, séparées par des virgules ; pas de noms.
f-activity-venue = Lieu
    .hint = Communiqué aux seules personnes invitées.
f-activity-present = Présentes
    .hint = Cochez chaque personne présente.
f-activity-excused = Excusées
    .hint = Absentes avec justification.
f-activity-absent = Absentes
    .hint = Absentes sans justification.
f-activity-excuses = Justifications
    .hint = Une par ligne.
c-activity-type-talking-group = Groupe de parole
c-activity-type-workshop = Atelier
c-activity-type-training = Formation
c-activity-type-art-therapy = Art-thérapie
c-activity-type-podcast = Enregistrement de podcast
c-activity-type-outreach = Maraude
c-activity-type-law-access = Permanence d’accès au droit
c-activity-type-party = Fête ou retraite
c-activity-type-celebration = Célébration
c-activity-type-send-off = Pot de départ
c-activity-type-meeting = Réunion
c-activity-audience-all = Tous les membres
c-activity-audience-active = Membres actifs seulement
activities-title = Activités
activities-add = Ajouter une activité
activities-edit = Modifier l’activité
activities-one = Activité

## Signatures, candidatures, mandats
nav-mandates = Mandats
member-steps = Démarches de la personne
member-steps-none = Aucune signature, candidature ni mandat enregistré.
add-signature = Enregistrer une signature
add-application = Enregistrer une candidature
add-mandate = Enregistrer un mandat
f-signature-person = Personne
    .hint = La personne qui a signé.
f-signature-form = Formulaire
    .hint = Formulaire de membre, ou de membre actif.
f-signature-signed_on = Date de signature
    .hint = Le jour où le règlement a été signé.
f-signature-version = Version du règlement
    .hint = Par exemple : 2026-01.
f-signature-staff_meeting_on = Rencontre avec l’équipe
    .hint = Date de la rencontre avec l’équipe avant la signature.
f-signature-scan_location = Où est rangé l’original
    .hint = Classeur ou dossier où se trouve le papier signé ou son scan.
c-signature-form-member = Formulaire de membre
c-signature-form-active = Formulaire de membre actif
signatures-title = Signatures du règlement
signatures-add = Enregistrer une signature
signatures-edit = Modifier la signature
signatures-one = Signature du règlement
f-application-person = Personne
    .hint = La personne qui demande à devenir membre active.
f-application-welcome_meeting_on = Rencontre d’accueil
    .hint = Date de la rencontre d’accueil.
f-application-interviewers = Entretien mené par
    .hint = Les membres de Roots qui ont mené l’entretien.
f-application-form_signed_on = Formulaire signé le
    .hint = Date de signature du formulaire de membre actif.
f-application-card_number = Numéro de carte
    .hint = Numéro de la carte de membre active.
f-application-card_issued_on = Carte remise le
    .hint = Date de remise de la carte.
f-application-vote_on = Vote de Roots le
    .hint = Date du vote de Roots.
f-application-decision = Décision
    .hint = Ce que le vote de Roots a décidé.
f-application-mentor = Mentor
    .hint = Choisi·e après le vote de Roots.
f-application-channels_added = Ajoutée aux canaux
    .hint = Ajoutée aux canaux de communication des membres actifs.
f-application-introduction_done = Présentée aux membres actifs
    .hint = La présentation aux membres actifs a eu lieu.
f-application-roots_report = Rapport à Roots
    .hint = Le rapport des personnes qui ont mené l’entretien.
c-application-decision-pending = En attente
c-application-decision-accepted = Acceptée
c-application-decision-refused = Refusée
applications-title = Candidatures de membre actif
applications-add = Enregistrer une candidature
applications-edit = Modifier la candidature
applications-one = Candidature de membre actif
f-mandate-role = Mandat
    .hint = Le mandat tenu.
f-mandate-holder = Titulaire
    .hint = La personne qui tient le mandat.
f-mandate-start = Début
    .hint = Premier jour du mandat.
f-mandate-end = Fin
    .hint = Dernier jour (six mois pour les préfets).
f-mandate-elected_at = Élue lors de
    .hint = L’assemblée générale qui a élu ou présenté la personne.
f-mandate-renewed_on = Renouvelé le
    .hint = Date du dernier renouvellement.
f-mandate-resigned_on = Démission le
    .hint = Date de la démission, s’il y en a une.
f-mandate-roots_consulted = Roots consulté
    .hint = Un membre de Roots a été consulté avant la démission.
f-mandate-available = Disponible
    .hint = La personne est disponible pour le mandat (porte-parole).
f-mandate-exposure_consent_on = Consentement à l’exposition
    .hint = Date du consentement de la porte-parole à être exposée publiquement.
f-mandate-exposure_limits = Limites de l’exposition
    .hint = Ce que la porte-parole refuse de montrer : nom, visage, voix…
c-mandate-role-spokesperson = Porte-parole
c-mandate-role-prefet = Préfet
c-mandate-role-board = Siège au conseil
c-mandate-role-president = Présidence
c-mandate-role-secretary = Secrétariat
c-mandate-role-treasurer = Trésorerie
c-mandate-role-coalition-chair = Présidence de la coalition
mandates-title = Mandats
mandates-add = Enregistrer un mandat
mandates-edit = Modifier le mandat
mandates-one = Mandat
attendance = Présences
    .hint = Pour chaque personne : présente, excusée (absente avec justification) ou absente.
attendance-none = Non noté
attendance-present = Présente
attendance-excused = Excusée
attendance-absent = Absente

## Mentorats, groupes de travail, assemblées, votes, partenaires, réunions de coalition,
## orientations, prises de nouvelles (importés et exportés depuis Gestion)
f-mentorship-mentee = Personne accompagnée
    .hint = Le membre qui bénéficie du mentorat.
f-mentorship-mentor = Mentor
    .hint = Le membre qui l’accompagne.
f-mentorship-status = État
    .hint = Le mentorat est en cours ou a pris fin.
f-mentorship-started_on = Début
    .hint = Premier jour du mentorat.
f-mentorship-ended_on = Fin
    .hint = Dernier jour du mentorat.
f-mentorship-notes = Notes
    .hint = Notes brèves, jamais le contenu du dossier personnel.
c-mentorship-status-active = En cours
c-mentorship-status-ended = Terminé
f-group-name = Nom
    .hint = Le nom du groupe de travail.
f-group-area = Domaine
    .hint = Le domaine dont le groupe s’occupe.
f-group-members = Membres du groupe
    .hint = Les personnes qui font partie du groupe.
f-group-applicants = Candidates
    .hint = Les membres qui ont demandé à rejoindre le groupe.
f-group-minutes = Comptes rendus
    .hint = Les comptes rendus des réunions du groupe.
c-group-area-community-organising = Organisation communautaire
c-group-area-advocacy = Plaidoyer
c-group-area-media = Médias
c-group-area-social-work = Accompagnement social
c-group-area-support-groups = Groupes de soutien
c-group-area-partnerships = Partenariats
c-group-area-roots = Roots
c-group-area-peer-to-peer = Pair-à-pair
f-assembly-title = Titre
    .hint = Par exemple : Assemblée générale, printemps 2026.
f-assembly-date = Date
    .hint = Le jour où elle s’est tenue.
f-assembly-agenda = Ordre du jour
    .hint = Les points prévus.
f-assembly-minutes = Compte rendu
    .hint = Ce qui a été dit et décidé.
f-assembly-headcount = Personnes présentes
    .hint = Leur nombre.
f-vote-title = Objet du vote
    .hint = Ce sur quoi porte le vote.
f-vote-kind = Type de vote
    .hint = Élection, admission, retrait, exclusion, décision de la coalition…
f-vote-held_on = Date du vote
    .hint = Le jour du vote.
f-vote-assembly = Assemblée générale
    .hint = L’assemblée générale où le vote a eu lieu, s’il y en a une.
f-vote-electorate = Qui vote
    .hint = Par exemple : membres actifs, organisations membres.
f-vote-threshold = Majorité requise
    .hint = Ce qu’il faut pour que la proposition passe.
f-vote-eligible = Votes possibles
    .hint = Nombre de personnes ou d’organisations qui peuvent voter.
f-vote-votes_for = Pour
    .hint = Nombre de voix pour.
f-vote-votes_against = Contre
    .hint = Nombre de voix contre.
f-vote-abstentions = Abstentions
    .hint = Nombre d’abstentions.
f-vote-result = Résultat
    .hint = Ce qui a été décidé.
f-vote-subject_member = Membre concernée
    .hint = La personne dont il est question (admission, retrait, exclusion).
f-vote-subject_partner = Organisation concernée
    .hint = L’organisation dont il est question (votes de la coalition).
f-vote-voters = Organisations votantes
    .hint = Les organisations qui ont voté (votes de la coalition).
f-vote-excluded = Organisations exclues du vote
    .hint = Les organisations qui ne pouvaient pas voter.
f-vote-outcome_signed_by = Décision signée par
    .hint = Les organisations qui ont signé la décision écrite.
f-vote-deliberation = Délibération
    .hint = Les échanges sur une personne nommée ; confidentiels.
c-vote-kind-election = Élection
c-vote-kind-admission = Admission comme membre actif
c-vote-kind-drop = Retrait d’un membre actif
c-vote-kind-expulsion = Exclusion
c-vote-kind-coalition-decision = Décision de la coalition
c-vote-kind-coalition-admission = Admission dans la coalition
c-vote-kind-coalition-removal = Retrait de la coalition
c-vote-kind-other = Autre
c-vote-threshold-consensus = Consensus
c-vote-threshold-majority = Majorité (50 % + 1)
c-vote-threshold-two-thirds = Deux tiers
c-vote-result-pending = En attente
c-vote-result-consensus = Consensus trouvé
c-vote-result-passed = Adopté
c-vote-result-rejected = Rejeté
f-partner-name = Nom
    .hint = Le nom de l’organisation.
f-partner-sector = Secteur
    .hint = Police, santé, logement, association…
f-partner-public_contact = Contact public
    .hint = Son adresse ou son numéro publics.
f-partner-relationship = Relation
    .hint = Partenaire, financeur, coalition : séparés par des virgules.
f-partner-coalition_status = Place dans la coalition
    .hint = Où en est l’organisation dans la coalition.
f-partner-survivor_member = Survivante membre
    .hint = Une survivante membre de la coalition plutôt qu’une organisation.
f-partner-endorsed_by = Soutenue par
    .hint = Les organisations membres dont une signataire a soutenu la candidature.
f-partner-reviewed_by = Examinée par
    .hint = Les organisations membres qui ont examiné la candidature.
f-partner-readiness_endorsed_by = Préparation attestée par
    .hint = La structure qui atteste qu’une survivante membre est prête.
f-partner-joined_on = Entrée dans la coalition le
    .hint = Le jour où l’organisation a rejoint la coalition.
f-partner-removal_notice_on = Préavis de retrait le
    .hint = Le jour où l’organisation a été prévenue, avec les motifs, d’un vote sur son retrait.
f-partner-representatives = Représentantes
    .hint = Les fonctions de ses représentantes (titulaire, suppléante), séparées par des virgules.
c-partner-coalition_status-applicant = Candidate
c-partner-coalition_status-member = Membre
c-partner-coalition_status-withdrawn = Retirée
c-partner-coalition_status-removed = Exclue
c-partner-coalition_status-refused = Refusée
f-meeting-title = Titre
    .hint = La réunion de la coalition.
f-meeting-date = Date
    .hint = Le jour où elle s’est tenue.
f-meeting-attendance = Organisations présentes
    .hint = Une organisation représentée par une déléguée compte comme présente.
f-meeting-agenda = Ordre du jour
    .hint = Les points prévus.
f-meeting-minutes_status = Compte rendu
    .hint = Brouillon, diffusé ou approuvé.
f-meeting-action_items = Actions à mener
    .hint = Pour chacune : qui s’en charge, pour quand, où elle en est.
c-meeting-minutes_status-draft = Brouillon
c-meeting-minutes_status-circulated = Diffusé
c-meeting-minutes_status-approved = Approuvé
f-referral-destination = Structure
    .hint = Vers où, ou d’où, la personne est orientée.
f-referral-direction = Sens
    .hint = Orientation reçue par l’association, ou faite par elle.
f-referral-referred_on = Date de l’orientation
    .hint = Le jour de l’orientation.
f-referral-decided_on = Date de la décision
    .hint = Le jour où la structure a répondu.
f-referral-status = État
    .hint = En cours, acceptée, refusée ou close.
f-referral-project = Projet
    .hint = Le projet auquel l’orientation se rattache.
f-referral-person = Personne
    .hint = Le membre orienté.
f-referral-partner = Organisation
    .hint = L’organisation vers laquelle, ou depuis laquelle, la personne est orientée.
f-referral-consent = Consentement
    .hint = Le consentement donné : ce qui est transmis, à qui, quand.
f-referral-notes = Notes de l’équipe
    .hint = Sans détail inutile.
c-referral-destination-acse = Dispositif Ac.Sé
c-referral-destination-psp = Parcours de sortie de la prostitution (PSP)
c-referral-destination-lawyer = Avocats
c-referral-destination-housing = Logement
c-referral-destination-psychologist = Psychologue
c-referral-destination-coalition-partner = Partenaire de la coalition
c-referral-destination-charity = Autre association
c-referral-destination-other = Autre
c-referral-direction-inbound = Reçue par l’association
c-referral-direction-outbound = Faite par l’association
c-referral-status-open = En cours
c-referral-status-accepted = Acceptée
c-referral-status-refused = Refusée
c-referral-status-closed = Close
f-welfare-person = Personne
    .hint = Le membre dont on a pris des nouvelles.
f-welfare-checked_on = Date
    .hint = Le jour où l’on a pris de ses nouvelles.
f-welfare-outcome = Résultat
    .hint = En sécurité, souhaite partir, injoignable ou en danger.
c-welfare-outcome-safe = En sécurité
c-welfare-outcome-wants-to-leave = Souhaite quitter l’association
c-welfare-outcome-unreachable = Injoignable
c-welfare-outcome-danger = En danger

## Listes et fiches
filter-status = Statut
filter-group = Groupe de travail
filter-all = Tous
filter-apply = Filtrer
search-label = Rechercher un nom
search-hint = La liste se réduit pendant la saisie.
search-button = Rechercher
records-count = { $n ->
    [one] { $n } fiche
   *[other] { $n } fiches
}
unnamed = (sans nom)
edit = Modifier
save = Enregistrer
cancel = Annuler
history-link = Historique
not-given = non renseigné

## Aujourd’hui
today-title = Aujourd’hui
today-date = Nous sommes le { $date }.
today-todo = À faire et à vérifier
today-nothing = Rien à signaler aujourd’hui.
severity-block = Règle non respectée
severity-warn = Attention
severity-remind = Rappel
due = (échéance : { $date })
todo-a2-mentor = Une candidature acceptée n’a pas encore de mentor : choisissez-en une et indiquez-la dans la candidature (ou enregistrez un mentorat en cours pour cette personne).
todo-a8-groups = Aucune présence à une activité de groupe de travail depuis deux mois : signalez cette personne à Roots et aux préfets, pour qu’ils en parlent avec elle.
todo-a9-news = Pas de nouvelles depuis deux mois : prenez d’abord de ses nouvelles et notez-les ; jamais de départ automatique : elle ne part que si elle le souhaite.
todo-seats-too-many = { $n } { $seat ->
    [prefet] préfets
   *[other] porte-parole
} en même temps : ce rôle est tenu par deux personnes ; décidez quels mandats restent, et terminez les autres ou enregistrez une démission.
todo-seats-missing = { $seat ->
    [prefet] { $n ->
        [one] { $n } préfet en poste
       *[other] { $n } préfets en poste
    }
   *[other] { $n } porte-parole en poste
}, il en faut deux : choisissez { $missing ->
    [one] une personne
   *[other] { $missing } personnes
} parmi les membres actifs et présentez ce choix à l’assemblée générale.
todo-seats-french = { $seat ->
    [prefet] Aucun préfet en poste
   *[other] Aucune porte-parole en poste
} ne parle français : au moins l’une des deux personnes doit le parler.
todo-seat-inactive = La personne qui tient ce mandat { $seat ->
    [prefet] de préfet
   *[other] de porte-parole
} n’est plus membre active : notez la fin du mandat et choisissez qui lui succède.
todo-d2-unavailable = Cette porte-parole est notée indisponible : parlez-en avec elle et, si elle le souhaite, consultez un membre de Roots sur une démission et sur qui lui succède.
todo-d3-no-assembly = Aucune assemblée générale n’est enregistrée : tenez-en une tous les six mois ; les mandats y sont présentés et les porte-parole élues.
todo-d3-assembly-due = La prochaine assemblée générale { $is ->
    [was] devait se tenir
   *[other] doit se tenir
} au plus tard le { $due }, six mois après celle du { $last } : préparez-la, avec les mandats à renouveler.
todo-d3-mandate-ends = { $role ->
    [none] Ce mandat
   *[other] Le mandat « { $role } »
} se termine le { $end } : renouvelez-le ou choisissez qui lui succède, lors d’une assemblée générale si nécessaire.
todo-d6-too-many = { $n } sièges au conseil sont pourvus en même temps : le conseil en compte 9 au plus ; décidez quels mandats restent et terminez les autres.
todo-d6-too-few = { $n ->
    [one] { $n } siège au conseil pourvu
   *[other] { $n } sièges au conseil pourvus
} : le conseil en compte de 7 à 9 ; élisez les membres qui manquent à l’assemblée générale.
todo-d6-active = Sièges au conseil tenus par des membres actifs : { $active } sur { $n } ; il en faut au moins la moitié.
todo-c5-withdrawal = Présente à { $attended } sur { $n } { $n ->
    [one] réunion
   *[other] réunions
} de la coalition ces 12 derniers mois, moins des deux tiers : les règles de la coalition prévoient un retrait automatique ; prévenez l’organisation et notez sa place dans la coalition comme « Retirée ».
todo-go-mentor = Indiquer sa mentor
todo-go-member = Voir sa fiche
todo-go-news = Noter de ses nouvelles
todo-go-mandates = Voir les mandats
todo-go-new-mandate = Enregistrer un mandat
todo-go-end-mandate = Noter la fin du mandat
todo-go-mandate = Voir le mandat
todo-go-renew = Renouveler ou terminer le mandat
todo-retention = Conservation
todo-retention-soon = Son dossier personnel sera effacé le { $date }, à la fin de la durée de conservation. Si elle en demande une copie, faites-la avant.
todo-retention-due = La durée de conservation de son dossier personnel est écoulée : un appareil de direction où Carnet est ouvert l’efface de lui-même.
todo-go-retention = Voir les effacements prévus
today-activities = Activités de la quinzaine
today-no-activities = Aucune activité dans les deux semaines autour d’aujourd’hui.
today-present = { $n ->
    [one] { $n } présente
   *[other] { $n } présentes
}
today-peers = Synchronisation avec les autres appareils
today-no-peers = Cet appareil ne s’est encore synchronisé avec aucun autre.
peer-device = Appareil (détenteur)
peer-last-sync = Dernière synchronisation réussie
peer-result = Dernier essai
peer-ok = Réussi
peer-failed = Échec
peer-figures = Dernière synchronisation : reçu, envoyé, refusé
peer-moved = { $received ->
    [one] { $received } reçue
   *[other] { $received } reçues
}, { $sent ->
    [one] { $sent } envoyée
   *[other] { $sent } envoyées
}, { $refused ->
    [one] { $refused } refusée
   *[other] { $refused } refusées
}
never = Jamais
kind-member = Membre
kind-project = Projet
kind-signature = Signature
kind-application = Candidature
kind-mentorship = Mentorat
kind-group = Groupe de travail
kind-activity = Activité
kind-mandate = Mandat
kind-assembly = Assemblée générale
kind-vote = Vote
kind-partner = Partenaire
kind-meeting = Réunion de coalition
kind-referral = Orientation
kind-welfare = Prise de nouvelles

## Historique
history-title = Historique de la fiche
back-to-record = Retour à la fiche
history-when = Quand
history-who = Qui
history-fields = Champs modifiés
history-signature = Signature
signature-verified = Signature vérifiée
signature-rejected = Refusée par les règles d’accès
signature-unverified = NON VÉRIFIÉE

## Rapports
reports-title = Rapports
report-from = Du
report-to = Au
report-reversed = La date de fin est avant la date de début.
report-project = Projet
report-all-projects = Tous les projets
report-run = Afficher le rapport
report-period = Période du { $from } au { $to }.
report-suppressed = Les nombres inférieurs à { $n } sont affichés « <{ $n } » pour ne pas permettre d’identifier quelqu’un.
report-csv = Télécharger en CSV
report-section = Rubrique
report-file = rapport.csv
report-indicator = Indicateur
report-value = Valeur
chart-label = Graphique en barres : { $title }
not-applicable = sans objet
rep-membership = Adhésions
rep-active = Membres actifs en fin de période
rep-not-active = Membres non actifs en fin de période
rep-former = Anciens membres en fin de période
rep-joins = Adhésions sur la période
rep-rejoins = Réadhésions sur la période
rep-departures = Départs sur la période
rep-new-active = Nouveaux membres actifs sur la période
rep-project = Projet : { $title }
rep-sessions = Séances
rep-participants = Participantes distinctes
rep-attendances = Présences
rep-mean-attendance = Présences moyennes par séance
rep-activities = Activités
rep-talking-groups = Groupes de parole tenus
rep-referrals = Orientations
rep-referrals-to = { $destination } : orientations
rep-mean-days-to = { $destination } : jours moyens jusqu’à la décision
rep-dest-acse = Dispositif Ac.Sé
rep-dest-psp = Parcours de sortie de la prostitution (PSP)
rep-dest-lawyer = Avocats
rep-dest-housing = Logement
rep-dest-psychologist = Psychologue
rep-dest-coalition-partner = Partenaire de la coalition
rep-dest-charity = Autre association
rep-dest-other = Autre
rep-governance = Gouvernance
rep-assemblies = Assemblées générales tenues

## Gestion
nav-admin = Gestion
admin-title = Gestion de l’association
admin-devices = Les appareils de l’association ; inviter un nouvel appareil, en retirer un.
admin-sync = Quand chaque appareil s’est synchronisé pour la dernière fois ; synchroniser maintenant.
admin-quarantine = Les modifications refusées par les règles d’accès, et pourquoi.
admin-erasure = Effacer une personne sur tous les appareils (RGPD) et suivre les confirmations.
admin-settings = Langue, verrouillage, phrase de passe, durée de conservation, droits d’accès.
role-member = Membre
role-active-member = Membre actif
role-roots = Roots
role-mentor = Mentor
role-board = Conseil
role-staff = Équipe salariée
role-direction = Direction
access-none = —
access-read = Lecture
access-write = Lecture et écriture
settings-title = Réglages
settings-language = Langue de l’interface
settings-language-now = La langue choisie vaut pour cet appareil.
settings-lock = Verrouillage automatique
settings-lock-now = L’interface redemande la phrase de passe après { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
} sans activité.
settings-passphrase = Changer la phrase de passe
settings-passphrase-intro = La phrase de passe de cet appareil seulement. Les autres appareils gardent la leur.
settings-passphrase-current = Phrase de passe actuelle
settings-passphrase-new = Nouvelle phrase de passe
settings-passphrase-new-hint = Au moins 8 caractères ; une phrase de plusieurs mots est plus sûre et plus facile à retenir.
settings-passphrase-again = Nouvelle phrase de passe, une deuxième fois
settings-passphrase-change = Changer la phrase de passe
settings-passphrase-short = La nouvelle phrase de passe doit avoir au moins 8 caractères.
settings-passphrase-differ = Les deux nouvelles phrases de passe ne sont pas identiques.
settings-passphrase-changed = Phrase de passe changée : utilisez la nouvelle à partir de maintenant.
settings-retention = Durée de conservation des dossiers personnels
settings-retention-now = Les dossiers personnels sont effacés { $months } mois après le départ d’un membre.
settings-retention-none = Aucune durée fixée : les dossiers personnels des personnes parties sont gardés.
settings-retention-months = Nombre de mois après le départ
settings-retention-hint = Vide ou 0 : aucune durée. Carnet prévient 30 jours avant chaque effacement.
settings-retention-bad = Écrivez un nombre de mois (de 1 à 600), ou laissez vide.
settings-retention-saved = Durée de conservation enregistrée ; elle vaudra sur tous les appareils après leur synchronisation.
settings-policy = Qui peut lire et écrire quoi
settings-policy-intro = Les droits de chaque rôle sur chaque type d’information. Le dossier personnel et la sécurité demandent aussi l’accord de confidentialité signé.
settings-policy-role = Rôle
sync-title = Synchronisation
sync-intro = Les appareils se synchronisent seuls quand ils se trouvent sur le même réseau. Voici la dernière synchronisation avec chacun.
sync-now = Synchroniser maintenant
sync-started = Synchronisation lancée avec les appareils connus ; rechargez la page dans un moment pour voir le résultat.
quarantine-title = Quarantaine
quarantine-intro = Les modifications reçues que les règles d’accès ont refusées. Elles ne sont ni appliquées ni transmises.
quarantine-empty = La quarantaine est vide : aucune modification n’a été refusée.
quarantine-what = Fiche
quarantine-why = Pourquoi
quarantine-registry = Registre des appareils
quarantine-revoked = Écrite par un appareil retiré, après son retrait.
quarantine-erased = Concerne une personne effacée.
quarantine-forbidden = Son auteur n’avait pas le droit d’écrire ce type d’information.
quarantine-signature = Signature invalide : la modification a pu être falsifiée.
quarantine-other = Refusée par les règles d’accès.
erasure-title = Effacement
erasure-erase = Effacer une personne
erasure-warning = L’effacement détruit le dossier de la personne, son historique et toutes les fiches qui la concernent, sur tous les appareils, à leur prochaine synchronisation. On ne peut pas revenir en arrière.
erasure-keeps = Ce que l’effacement garde : l’identifiant de sa fiche, qui ne nomme plus personne ; la date, l’appareil de direction qui l’a fait et le motif (écrivez-le sans nom) ; son identifiant dans les listes de personnes, comme les présences, pour que les chiffres des rapports restent justes ; et, pour une personne exclue, ses marqueurs M6 — des empreintes de ses noms et de sa date de naissance, qui ne servent qu’à reconnaître les mêmes noms saisis à nouveau — pour qu’elle ne soit jamais réadmise (règle M6).
erasure-person = Personne à effacer
erasure-reason = Motif
erasure-reason-hint = La demande à laquelle l’effacement répond, par exemple « demande art. 17 du 01/12/2026 ». Sans nom.
erasure-reason-missing = Indiquez le motif de l’effacement.
erasure-confirm = Pour confirmer, tapez { $word }
erasure-confirm-hint = Ce mot évite un effacement par erreur.
erasure-confirm-word = EFFACER
erasure-confirm-wrong = Le mot de confirmation ne correspond pas : rien n’a été effacé.
erasure-choose = Choisissez la personne à effacer.
erasure-button = Effacer définitivement
erasure-done = Effacement enregistré sur cet appareil. Les autres appareils effaceront à leur prochaine synchronisation et enverront une confirmation signée.
erasure-list = Effacements et confirmations
erasure-none = Aucun effacement.
erasure-confirmed = Confirmé par
erasure-pending = Pas encore confirmé par
erasure-receipts = { $n ->
    [one] { $n } appareil
   *[other] { $n } appareils
}
erasure-all-confirmed = Tous les appareils ont confirmé.
erasure-last-sync = dernière synchronisation :
erasure-retention = Prochains effacements prévus par la durée de conservation
erasure-retention-nothing = Aucun dossier à effacer dans les 30 jours.
devices-title = Appareils
devices-invite = Inviter un nouvel appareil
devices-holder = Détenteur
devices-roles = Rôles
devices-city = Ville
devices-agreement = Accord de confidentialité
devices-no-agreement = non signé
devices-last-seen = Dernière synchronisation
devices-this-one = cet appareil
devices-status = État
devices-active = Actif
devices-revoked = Retiré
devices-revoke = Retirer
devices-revoke-title = Retirer un appareil
devices-revoke-warning = Retirer l’appareil de { $holder } : tous les appareils le refuseront dès qu’ils l’apprendront. Ce qu’il a modifié sans l’avoir encore synchronisé sera mis en quarantaine. À faire tout de suite pour un appareil perdu ou volé.
devices-revoke-refused = Cet appareil ne peut pas être retiré d’ici (c’est celui-ci, ou il l’est déjà).
devices-revoked-done = Appareil retiré : les autres appareils le refuseront après leur synchronisation.
invite-title = Inviter un appareil
invite-intro = Une invitation sert une seule fois, pendant 15 minutes. Avant que l’appareil rejoigne l’association, vous comparerez un code affiché sur les deux écrans.
invite-holder = Détenteur de l’appareil
invite-holder-hint = La personne qui utilisera l’appareil.
invite-holder-missing = Indiquez qui utilisera l’appareil.
invite-roles = Rôles
invite-roles-hint = Ce que l’appareil pourra lire et écrire (voir les réglages).
invite-roles-missing = Choisissez au moins un rôle.
invite-city = Ville
invite-city-hint = La ville où l’appareil sert (facultatif).
invite-agreement = Accord de confidentialité signé le
invite-agreement-hint = Nécessaire pour les dossiers personnels. Format JJ/MM/AAAA ; vide s’il n’est pas signé.
invite-agreement-bad = Écrivez la date sous la forme JJ/MM/AAAA.
invite-make = Créer l’invitation
invite-for = Invitation pour { $holder }, valable { $minutes } minutes. Sur le nouvel appareil, ouvrez Carnet et choisissez « Rejoindre », puis scannez ce code ou collez le texte.
invite-qr = Le ticket d’invitation en code QR
invite-ticket = Ticket d’invitation
invite-ticket-hint = À transmettre au nouvel appareil seulement, de la main à la main si possible.
invite-no-network = La synchronisation n’a pas encore démarré sur cet appareil : rechargez la page dans un instant.
invite-waiting = En attente du nouvel appareil…
invite-refresh = Actualiser
invite-presented = L’appareil { $device } demande à rejoindre
invite-compare = Son écran doit afficher exactement ce code :
invite-same = Le code est le même : accepter
invite-different = Le code est différent : refuser
invite-leaked = Plusieurs appareils ont utilisé ce ticket : il a peut-être été lu par quelqu’un d’autre. N’acceptez que le code affiché sur l’appareil que vous avez devant vous.
invite-confirmed = Code confirmé : l’appareil { $device } rejoint l’association.
invite-refused = Refusé : cet appareil ne rejoindra pas l’association avec ce ticket. Si le nouvel appareil affiche un autre code, quelqu’un d’autre a le ticket.
invite-joined = L’appareil { $device } a rejoint l’association.
invite-expired = Cette invitation a expiré ou a été arrêtée.

## Rejoindre
setup-title = Rejoindre l’association
setup-intro = Cet appareil n’appartient encore à aucune association. Collez le ticket d’invitation que vous a donné la direction, puis choisissez la phrase de passe de cet appareil.
setup-ticket-hint = Il commence par carnet1. Il ne sert qu’une fois, pendant 15 minutes.
setup-passphrase = Phrase de passe de cet appareil
setup-join = Rejoindre
setup-not-ticket = Ce n’est pas un ticket d’invitation Carnet : il commence par carnet1.
setup-mistyped = Le ticket est mal recopié : une lettre manque ou a changé. Copiez-le à nouveau.
setup-expired = Ce ticket n’est plus valable (déjà utilisé, expiré ou arrêté) : demandez-en un nouveau.
setup-failed = L’appareil n’a pas pu rejoindre l’association. Vérifiez que les deux appareils sont sur le même réseau, puis réessayez.
setup-compare = Montrez ce code à la personne qui vous a invitée : son écran doit afficher le même.
setup-waiting = En attente de sa confirmation…
setup-connecting = Connexion à l’appareil qui invite…
setup-joined = Cet appareil a rejoint l’association. Déverrouillez-le avec la phrase de passe que vous venez de choisir.
setup-again = Réessayer

## Supprimer, fusionner
delete = Supprimer
delete-title = Supprimer ou fusionner
delete-explain = Supprimer « { $record } » si la fiche a été saisie par erreur : elle quitte les listes et les rapports de tous les appareils ; son historique garde qui l’a supprimée. Ce n’est pas un effacement (voir Gestion › Effacement).
deleted = Fiche supprimée : elle quittera les listes des autres appareils à leur prochaine synchronisation.
merge-title = Fusionner un doublon
merge-explain = Si « { $record } » est la même personne qu’une autre fiche, fusionnez-la dans celle à garder : ses signatures, présences et autres fiches suivront.
merge-keep = Fiche à garder
merge-button = Fusionner dans cette fiche
merged = Doublon fusionné dans cette fiche.

## Importer et exporter
admin-import = Faire entrer un tableur (CSV, .xlsx, .ods) : voir chaque ligne à corriger avant que rien ne soit écrit.
admin-export = Télécharger les fiches d’un type en CSV ou en .xlsx.
transfer-kind = Type de fiches
import-title = Importer
import-check-title = Importer : vérifier le fichier
import-intro = Choisissez le type de fiches et le fichier à importer. Carnet montre d’abord comment il a lu le fichier et chaque ligne à corriger : rien n’est écrit avant que vous cliquiez sur « Importer ». Tout le fichier est importé, ou rien.
import-file = Fichier à importer
import-file-again = Fichier corrigé
import-file-hint = Un tableur enregistré en CSV (séparé par des points-virgules, des virgules ou des tabulations), en .xlsx ou en .ods ; la première ligne nomme les colonnes. { $mb } Mo au plus.
import-file-other = Autre fichier
import-read = Lire le fichier
import-no-file = Choisissez le fichier à importer.
import-too-big = Le fichier dépasse { $mb } Mo : importez-le en plusieurs parties.
import-gone = Le fichier n’est plus en mémoire (la session a été verrouillée ou est restée inactive) : choisissez-le à nouveau.
import-read-empty = Le fichier est vide : sa première ligne doit nommer les colonnes.
import-read-csv = Ligne { $line } : le fichier n’est pas lisible en CSV (un guillemet non refermé ?). Ouvrez-le dans le tableur et enregistrez-le à nouveau en « CSV UTF-8 ».
import-read-mixed = Ligne { $line } : le texte mélange deux encodages. Ouvrez-le dans le tableur et enregistrez-le à nouveau en « CSV UTF-8 ».
import-read-workbook = Ce fichier n’est pas lisible comme un tableur (.csv, .xlsx, .ods) : enregistrez-le à nouveau depuis le tableur.
import-read-nosheet = Le classeur n’a pas de feuille lisible.
import-read-json = Ligne { $line } : le fichier JSON n’est pas une liste de fiches.
import-read-cell = Ligne { $line }, colonne { $column } : la cellule contient une erreur du tableur (#REF!, #DIV/0!…).
import-how-read = Comment le fichier a été lu
import-format-csv = Texte CSV
import-format-workbook = Classeur { $ext }
import-format-json = JSON (export de Carnet)
import-separator = Séparateur : { $sep }
import-sep-semicolon = point-virgule « ; »
import-sep-comma = virgule « , »
import-sep-tab = tabulation
import-encoding = Encodage : { $enc }
import-rows = { $n ->
    [one] 1 ligne de données
   *[other] { $n } lignes de données
}
import-blank = { $n ->
    [one] 1 ligne vide ignorée.
   *[other] { $n } lignes vides ignorées.
}
import-dates = Dates : { $how }
import-dates-dmy = JJ/MM/AAAA (jour, mois, année)
import-dates-ymd = AAAA/MM/JJ (année, mois, jour)
import-dates-iso = AAAA-MM-JJ
import-dates-cells = cellules de date du classeur
import-other = Choisir un autre fichier
import-other-hint = Si ce n’est pas le bon fichier, choisissez-en un autre : rien n’a encore été écrit.
import-dates-none = aucune colonne de date choisie
import-columns = Colonnes et champs « { $kind } »
import-columns-hint = Pour chaque colonne, le champ qu’elle remplit. Carnet a reconnu les titres qu’il connaît ; choisissez « ne pas importer » pour laisser une colonne de côté. Voici les premières lignes du fichier, numérotées comme dans le tableur.
import-unwritable = Colonne { $column } : cet appareil ne peut pas écrire « { $field } » ; elle ne sera pas importée.
import-to-fix = à corriger
import-line = Ligne
import-line-n = Ligne { $line } :
import-ignore = — ne pas importer —
import-field-id = Identifiant Carnet (id)
import-preview-more = … et { $n } autres lignes.
import-options = Options
import-delimiter = Séparateur des colonnes
import-delimiter-hint = Si les colonnes de l’aperçu sont mal découpées, choisissez le séparateur du fichier.
import-delimiter-detected = Détecté : { $sep }
import-sheet = Feuille du classeur
import-sheet-hint = Le classeur a plusieurs feuilles : celle qui contient la liste.
import-date-order = Ordre des dates
import-date-order-hint = Pour les dates qui ne sont pas écrites AAAA-MM-JJ. Les cellules de date d’un classeur sont lues telles quelles.
import-joined-before = Membres arrivés avant le
import-joined-before-hint = Pour les lignes sans « Membre depuis » : la date (JJ/MM/AAAA) avant laquelle ces personnes étaient déjà membres. Elles ne compteront pas comme arrivées le jour de l’import dans les rapports.
import-joined-before-bad = Membres arrivés avant le : saisissez une date réelle au format JJ/MM/AAAA, par exemple 01/01/2020.
import-display-name = Nom affiché à composer
import-display-name-hint = Pour les lignes sans nom affiché : le nom d’une colonne, ou un modèle comme {"{"}Prénom{"}"} {"{"}Nom:initial{"}"}. (qui donne « Joy A. »).
import-display-name-bad = Nom affiché à composer : chaque nom entre accolades doit être celui d’une colonne du fichier.
import-allow-duplicates = Importer aussi les doublons possibles
import-allow-duplicates-hint = Une ligne avec le même nom affiché et la même date de naissance qu’une personne déjà enregistrée comme membre, ou qu’une autre ligne, est un doublon possible. Cochez seulement si ce sont bien des personnes différentes.
import-twice = Colonne { $column } : le champ « { $field } » est déjà rempli par une autre colonne. Choisissez un autre champ ou « ne pas importer ».
import-no-column = Choisissez le champ d’au moins une colonne.
import-result = Vérification
import-ready = { $n ->
    [one] Tout est prêt : la ligne peut être importée.
   *[other] Tout est prêt : les { $n } lignes peuvent être importées.
}
import-ready-taken-over = { $n ->
    [one] Avec 1 signature ou décision reprise du fichier (la date d’adhésion du membre).
   *[other] Avec { $n } signatures et décisions reprises du fichier (la date d’adhésion de chaque membre).
}
import-nothing-yet = Rien n’a encore été écrit.
import-fix-choices = Corrigez les choix signalés, puis vérifiez à nouveau.
import-bad-lines = { $n ->
    [one] 1 ligne sur { $rows } ne peut pas être importée ; rien n’a été écrit.
   *[other] { $n } lignes sur { $rows } ne peuvent pas être importées ; rien n’a été écrit.
}
import-duplicates = { $n ->
    [one] 1 doublon possible (voir ci-dessous). Si ce sont bien des personnes différentes, cochez « Importer aussi les doublons possibles ».
   *[other] { $n } doublons possibles (voir ci-dessous). Si ce sont bien des personnes différentes, cochez « Importer aussi les doublons possibles ».
}
import-extra-cell = la colonne { $column } contient quelque chose, mais la première ligne ne lui donne pas de titre.
import-bad-date = colonne { $column } ({ $field }) : ce n’est pas une date réelle ; écrivez-la JJ/MM/AAAA.
import-dup-recorded = même nom affiché et même date de naissance qu’une personne déjà enregistrée comme membre (ce fichier a-t-il déjà été importé ?).
import-dup-line = même nom affiché et même date de naissance que la ligne { $first }.
import-dup-recorded-fields = mêmes valeurs ({ $fields }) qu’une fiche déjà enregistrée (ce fichier a-t-il déjà été importé ?).
import-dup-line-fields = mêmes valeurs ({ $fields }) que la ligne { $first }.
import-file-imported = ce fichier a déjà été importé pour ce type de fiche, le { $date }. Si c’est bien voulu, cochez « Importer aussi les doublons possibles ».
import-bad-id = la colonne « id » ne contient pas un identifiant Carnet.
import-no-field = la ligne ne remplit aucun champ.
import-joined-unknown = « Membre depuis » est vide : indiquez la date d’adhésion, ou remplissez « Membres arrivés avant le » pour toutes les lignes sans elle.
import-reference = { $field } : aucune fiche « { $kind } » ne porte ce nom (ou plusieurs le portent).
import-check-again = Vérifier à nouveau
import-button = { $n ->
    [one] Importer la ligne
   *[other] Importer les { $n } lignes
}
import-corrected = Importer un fichier corrigé
import-corrected-hint = Corrigez les lignes signalées dans le tableur, enregistrez, puis choisissez le fichier à nouveau. Si ses colonnes sont les mêmes, vos choix sont gardés.
import-done-member = { $n ->
    [one] 1 membre importé.
   *[other] { $n } membres importés.
}
import-done = { $n ->
    [one] 1 fiche « { $kind } » importée.
   *[other] { $n } fiches « { $kind } » importées.
}
import-done-taken-over = { $n ->
    [one] 1 signature ou décision reprise.
   *[other] { $n } signatures et décisions reprises.
}
export-title = Exporter
export-intro = Téléchargez toutes les fiches d’un type, telles que cet appareil peut les lire. Les cellules qui ressemblent à une formule sont neutralisées.
export-format = Format
export-csv-french = CSV pour Excel ou LibreOffice en français (séparateur « ; »)
export-csv-standard = CSV standard (séparateur « , »)
export-xlsx = Classeur Excel (.xlsx)
export-personal = Inclure les dossiers personnels
export-personal-hint = Le fichier contiendra alors des données personnelles en clair : gardez-le sur un disque chiffré et supprimez-le après usage.
export-button = Télécharger
quarantine-removed = Son auteur avait perdu le droit d’écrire ce type d’information (rôle, accord ou règles d’accès changés) sans l’avoir encore appris.
quarantine-depends = Suit une autre modification refusée.
readmit-title = Réadmettre du travail mis de côté
readmit-intro = Quand un appareil est retiré, ou perd un droit, ce qu’il avait écrit sans que la direction le sache est mis en quarantaine. Après l’avoir relu, vous pouvez le réadmettre.
readmit-device = { $n ->
    [one] { $holder } ({ $device }) : 1 modification mise de côté.
   *[other] { $holder } ({ $device }) : { $n } modifications mises de côté.
}
readmit-review = Relire et réadmettre
readmit-page-title = Réadmettre le travail d’un appareil
readmit-what = { $n ->
    [one] 1 modification écrite par l’appareil de { $holder } a été mise de côté par son retrait ou par la réduction de ses droits. Elle est listée sur la page Quarantaine : relisez-la avant de la réadmettre.
   *[other] { $n } modifications écrites par l’appareil de { $holder } ont été mises de côté par son retrait ou par la réduction de ses droits. Elles sont listées sur la page Quarantaine : relisez-les avant de les réadmettre.
}
readmit-warning = Réadmettre, c’est les accepter comme si elles étaient arrivées à temps : tous les appareils les reprendront à leur prochaine synchronisation, et chacune est jugée selon les droits qu’avait son auteur quand il l’a écrite. Cela ne peut pas être annulé d’un clic : une erreur se corrige ensuite sur la fiche.
readmit-still-revoked = L’appareil reste retiré : seul le travail déjà fait est repris, rien de ce qu’il écrira ensuite.
readmit-button = Réadmettre
readmit-nothing = Rien à réadmettre pour l’appareil de { $holder } : aucune de ses modifications n’est en quarantaine à cause de son retrait ou d’une réduction de ses droits.
readmit-done = { $n ->
    [one] 1 modification de l’appareil de { $holder } réadmise : tous les appareils la reprendront à leur prochaine synchronisation.
   *[other] { $n } modifications de l’appareil de { $holder } réadmises : tous les appareils les reprendront à leur prochaine synchronisation.
}
access-none-words = aucun accès
devices-edit = Modifier les droits
device-edit-title = Rôles et accord d’un appareil
device-edit-intro = Appareil de { $holder } ({ $device }). Ses droits viennent de ses rôles, selon les règles d’accès (page Réglages) ; le dossier personnel et la sécurité demandent en plus l’accord de confidentialité signé.
device-edit-this-one = C’est cet appareil-ci : vous pouvez lui ajouter un rôle, mais pas lui en retirer ni retirer son accord (il effacerait ce qu’il détient). Faites-le depuis un autre appareil de direction.
device-edit-roles-hint = Cochez tous les rôles de la personne qui utilise cet appareil.
device-edit-agreement-hint = Date de signature au format JJ/MM/AAAA. Laissez vide s’il n’y a pas d’accord signé.
device-edit-withdraw = Retirer l’accord de confidentialité (la personne ne pourra plus lire les dossiers personnels)
device-edit-no-role = Cochez au moins un rôle. Pour qu’un appareil n’ait plus aucun droit, retirez-le depuis la liste des appareils.
device-edit-own-role = Cet appareil ne peut pas retirer ses propres rôles : il effacerait des fiches qu’il détient. Faites-le depuis un autre appareil de direction.
device-edit-own-agreement = Cet appareil ne peut pas retirer son propre accord : il effacerait les dossiers personnels qu’il détient. Faites-le depuis un autre appareil de direction.
device-edit-agreement-future = La date de signature ne peut pas être dans le futur.
device-edit-unchanged = Rien n’a changé : les rôles et l’accord étaient déjà ceux-là.
device-edit-confirm-title = Réduire les droits d’un appareil
device-edit-narrows = Ce changement retire des droits à l’appareil de { $holder } :
device-edit-lost = { $class } : { $before } → { $after }
device-edit-narrow-warning = Dès que les autres appareils l’apprennent, ce qu’il écrirait ensuite en s’appuyant sur ces droits est refusé (mis en quarantaine, réadmissible après relecture). S’il ne peut plus lire les dossiers personnels, ils sont effacés de cet appareil à sa prochaine synchronisation.
device-edit-confirm = Confirmer la réduction des droits
device-edit-back = Revenir au formulaire
device-edit-saved = Droits de l’appareil de { $holder } enregistrés : tous les appareils les appliqueront après leur synchronisation.
settings-lock-minutes = Minutes sans activité avant le verrouillage
settings-lock-hint = De 1 à 60 minutes. Vaut pour cet appareil, dès maintenant et aux prochains démarrages. Plus court, c’est plus sûr sur un ordinateur partagé.
settings-lock-bad = Écrivez un nombre entier de minutes, de 1 à 60.
settings-lock-saved = Verrouillage automatique réglé à { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
} sans activité.
settings-policy-edit-hint = Direction : choisissez le droit de chaque rôle sur chaque type d’information, puis enregistrez. Une réduction de droits vous sera résumée avant d’être enregistrée.
settings-policy-save = Enregistrer les règles d’accès
settings-policy-unchanged = Rien n’a changé : les règles d’accès étaient déjà celles-là.
settings-policy-confirm-title = Réduire des droits
settings-policy-narrows = Ces changements retirent des droits :
settings-policy-lost = { $role }, { $class } : { $before } → { $after }
settings-policy-losing = Appareils qui perdent un droit : { $devices }.
settings-policy-nobody = Aucun appareil actuel ne perd de droit (aucun n’a ces rôles, ou un autre de ses rôles le lui donne).
settings-policy-this-device = { $holder } (cet appareil)
settings-policy-also = { $n ->
    [one] 1 autre changement élargit un droit.
   *[other] { $n } autres changements élargissent des droits.
}
settings-policy-confirm = Confirmer et enregistrer les règles d’accès
settings-policy-saved = { $n ->
    [one] Règles d’accès enregistrées (1 changement) : tous les appareils les appliqueront après leur synchronisation.
   *[other] Règles d’accès enregistrées ({ $n } changements) : tous les appareils les appliqueront après leur synchronisation.
}
access-short-none = Aucun
access-short-read = Lire
access-short-write = Écrire
settings-policy-short = Aucun : rien ne parvient à l’appareil. Lire : lecture seule. Écrire : lecture et écriture.
settings-policy-warning = Dès qu’un appareil l’apprend, ce qu’il écrirait ensuite en s’appuyant sur un droit retiré est refusé (mis en quarantaine, réadmissible après relecture). Un appareil qui ne peut plus lire les dossiers personnels les efface à sa prochaine synchronisation.
devices-actions = Actions
