//! The association's public facts, taken from the seeds (`mist-ongoing-projects.txt`): the 14
//! projects with their periods, partners and funders, the History/OurStory films; and the
//! fictitious coalition organisations.

/// The projects the generator attaches activities or referrals to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum P {
    Rehousing,
    AllInFavor,
    Rural,
    LegalEmpowerment,
    Cinema,
    BetweenPeers,
    Eva,
    Mpeio,
    OurStory,
    PowerOfTheGroup,
    LifeAfter,
    TrueTalk,
    VoiceParticipation,
    VoiceOver,
}

/// A project as published: title, period (`None` end for "since …" projects), aims, partners,
/// funders and targets.
pub(crate) struct ProjectSpec {
    pub(crate) key: P,
    pub(crate) title: &'static str,
    pub(crate) start: (i32, u32, u32),
    pub(crate) end: Option<(i32, u32, u32)>,
    pub(crate) aims: &'static str,
    pub(crate) partners: &'static [&'static str],
    pub(crate) funders: &'static [&'static str],
    pub(crate) targets: Option<&'static str>,
}

/// The 14 ongoing projects of the seeds, with their periods (2021–2025).
pub(crate) const PROJECTS: &[ProjectSpec] = &[
    ProjectSpec {
        key: P::Rehousing,
        title: "Support for rehousing victims of human trafficking",
        start: (2024, 1, 1),
        end: Some((2025, 12, 31)),
        aims: "Mobilisation of regional and national housing access mechanisms and rental \
               intermediation for 10 families over 2 years.",
        partners: &["GIP HIS", "Emmaüs Habitat"],
        funders: &[],
        targets: Some("10 families rehoused over 2 years"),
    },
    ProjectSpec {
        key: P::AllInFavor,
        title: "All in favor! Promoting access to rights for victims of trafficking through the \
                joint action of Mist mediators and BPS volunteer lawyers",
        start: (2021, 1, 1),
        end: None,
        aims: "Joint outreach with volunteer lawyers in the Bois de Vincennes, guidance at the \
               law-access point in the 18th arrondissement, training for lawyers and police.",
        partners: &["Bus Paris Solidarité (BPS)"],
        funders: &["Paris City Council", "Legal Empowerment Fund (LEF)"],
        targets: None,
    },
    ProjectSpec {
        key: P::Rural,
        title: "Participative support for social innovation in favour of victims of trafficking: \
                6 projects for employment in rural areas",
        start: (2023, 1, 1),
        end: Some((2024, 12, 31)),
        aims: "Mobilising stakeholders in rural areas to promote employment for victims of \
               trafficking; supporting six projects for access to the labour market.",
        partners: &[],
        funders: &["AGRASC", "Women Rights Administration (SDFE)"],
        targets: Some("6 rural employment projects supported"),
    },
    ProjectSpec {
        key: P::LegalEmpowerment,
        title: "Legal empowerment of victims of trafficking",
        start: (2022, 1, 1),
        end: Some((2024, 12, 31)),
        aims: "Supporting members who inform other victims, police and justice professionals, \
               and who build advocacy from specific cases.",
        partners: &[],
        funders: &["Legal Empowerment Fund (LEF)"],
        targets: None,
    },
    ProjectSpec {
        key: P::Cinema,
        title: "Cinema: Speak up for Freedom!",
        start: (2023, 1, 1),
        end: Some((2024, 12, 31)),
        aims: "An artistic expression project produced by a group of active members, and the \
               distribution of the film.",
        partners: &["Clément Sibony (film director)"],
        funders: &["My Movie / La Famiglia"],
        targets: None,
    },
    ProjectSpec {
        key: P::BetweenPeers,
        title: "Between Peers I and II – Promoting peer support for minors, within a group \
                working to combat sexual exploitation: an innovative approach to child protection",
        start: (2022, 1, 1),
        end: Some((2025, 12, 31)),
        aims: "Reception and co-accompaniment of minors by peer helpers; discussion groups; \
               training of peer helpers; ad hoc administrator missions.",
        partners: &[],
        funders: &["Social cohesion administration (DGCS)"],
        targets: None,
    },
    ProjectSpec {
        key: P::Eva,
        title: "EVA – Early identification and protection of Victims of trafficking in border \
                Areas",
        start: (2023, 1, 1),
        end: Some((2024, 12, 31)),
        aims: "Early identification and access to protection of minors and young women in \
               border regions between Italy, Spain and France.",
        partners: &[
            "Save the Children Italy (coordination)",
            "Consorzio Agorà Network",
            "ARAP",
            "France terre d'asile",
            "Fundación Save the Children Spain",
            "Regione del Veneto",
        ],
        funders: &[],
        targets: None,
    },
    ProjectSpec {
        key: P::Mpeio,
        title: "Experimental Parisian mechanism for identifying and referring victims of human \
                trafficking for sexual exploitation (MPEIO)",
        start: (2022, 1, 1),
        end: Some((2023, 12, 31)),
        aims: "Protection and geographical mobility of victims via the national Ac.Sé scheme and \
               the exit programme (PSP).",
        partners: &[],
        funders: &["AGRASC", "DRDFE", "Women Rights Administration (SDFE)"],
        targets: None,
    },
    ProjectSpec {
        key: P::OurStory,
        title: "History/OurStory",
        start: (2022, 1, 1),
        end: None,
        aims: "Understanding the interconnections between personal histories and the wider \
               history of humanity, through film screenings and debates.",
        partners: &[],
        funders: &[],
        targets: None,
    },
    ProjectSpec {
        key: P::PowerOfTheGroup,
        title: "The power of the group in mental health",
        start: (2023, 1, 1),
        end: Some((2024, 12, 31)),
        aims: "Individual meetings, discussion groups and art therapy workshops run by a \
               psychologist with peer-helper mediators.",
        partners: &[],
        funders: &["Fondation de France"],
        targets: None,
    },
    ProjectSpec {
        key: P::LifeAfter,
        title: "Life After Trafficking; Transnational Perspectives",
        start: (2023, 1, 1),
        end: None,
        aims: "Participatory action research on the relationships between victims in Europe and \
               their families in Nigeria.",
        partners: &[],
        funders: &["IRD", "URMIS", "IFRA-Nigeria"],
        targets: None,
    },
    ProjectSpec {
        key: P::TrueTalk,
        title: "True Talk",
        start: (2021, 1, 1),
        end: None,
        aims: "Speaking out and mental health through podcasts recorded by small groups of \
               members.",
        partners: &[],
        funders: &[],
        targets: None,
    },
    ProjectSpec {
        key: P::VoiceParticipation,
        title: "Voice and participation of the impacted communities in process of change: a join \
                learning initiative",
        start: (2022, 1, 1),
        end: Some((2024, 12, 31)),
        aims: "A collective reflection on voice and participation among eight partner \
               organisations in eight countries.",
        partners: &["GAATW"],
        funders: &["GAATW"],
        targets: None,
    },
    ProjectSpec {
        key: P::VoiceOver,
        title: "VoiceOver – Victims of trafficking in human beings support and Empowerment by \
                means of a survivor leaders Engagement model",
        start: (2023, 1, 1),
        end: Some((2024, 12, 31)),
        aims: "Training professionals and survivors, peer mentoring, integration measures, \
               podcasts and international events.",
        partners: &[
            "Equality Cooperativa Sociale (Italy)",
            "Payoke (Belgium)",
            "University of Venice",
            "Fundación Cruz Blanca (Spain)",
            "ADPARE (Romania)",
        ],
        funders: &["European Asylum Migration and Integration Fund (AMIF)"],
        targets: Some(
            "90 professionals and 20 survivors trained\n90 people mentored\n60 integration \
             measures\n5 podcasts\n2 international events",
        ),
    },
];

/// The History/OurStory films: seven in 2022, eight in 2023 (from the seeds).
pub(crate) const FILMS_2022: &[&str] = &[
    "Roots (The story of Kunta Kinte)",
    "12 years a slave",
    "Sankofa",
    "Harriet",
    "Selma",
    "Malcolm X",
    "Swallow",
];
/// The 2023 films.
pub(crate) const FILMS_2023: &[&str] = &[
    "Hidden Figures",
    "Cairo 678",
    "The Help",
    "La Noire de…",
    "The Swimmers",
    "Shérahazade",
    "Comme des reines",
    "Divines",
];
/// Guests of the History/OurStory debates (institutions, not people).
pub(crate) const OURSTORY_GUESTS: &[&str] = &[
    "University of Alberta",
    "IFRA-Nigeria",
    "IRD",
    "University of the Western Cape",
    "Harvard University",
    "URMIS",
    "GAATW",
];

/// Topics of the weekly talking groups.
pub(crate) const TALKING_TOPICS: &[&str] = &[
    "Stigma and loneliness",
    "Rights and procedures",
    "Health and wellbeing",
    "Family and children",
    "Housing",
    "Work and training",
    "Power and freedom",
    "Speaking up",
];

/// Topics of the True Talk podcast recordings.
pub(crate) const PODCAST_TOPICS: &[&str] = &[
    "Leaving the network",
    "Mental health",
    "Being a mother far from home",
    "Faith and healing",
    "Justice and the courts",
    "Finding work",
];

/// Justifications given for absences.
pub(crate) const EXCUSES: &[&str] = &[
    "medical appointment",
    "appointment at the prefecture",
    "work",
    "child care",
    "training course",
    "travel outside the region",
];

/// Venues (seen by invitees only).
pub(crate) const VENUES: &[&str] = &[
    "Association office",
    "Community centre room",
    "Partner's meeting room",
    "Online",
];

/// The coalition's sectors and their fictitious organisations: 32 organisations in 9 sectors.
pub(crate) const COALITION: &[(&str, &[&str])] = &[
    (
        "police",
        &[
            "Brigade de protection des familles Sud",
            "Unité de lutte contre la traite (police nationale)",
            "Maison de protection des familles (gendarmerie)",
        ],
    ),
    (
        "health",
        &[
            "Centre hospitalier du Littoral – urgences",
            "Centre de santé sexuelle Les Tilleuls",
            "Équipe mobile psychiatrie précarité",
            "Maison des femmes du Val",
        ],
    ),
    (
        "housing",
        &[
            "Foyer d'hébergement Les Glycines",
            "Habitat Solidaire (bailleur social)",
            "SIAO Est",
            "Résidence sociale Le Phare",
        ],
    ),
    (
        "child protection",
        &[
            "Cellule mineurs de l'aide sociale à l'enfance",
            "Maison d'enfants Les Cèdres",
            "Prévention spécialisée Jeunes en Rue",
        ],
    ),
    (
        "justice",
        &[
            "Permanence droits des victimes du barreau",
            "Association d'aide aux victimes AVJ",
            "Service d'insertion et de probation",
        ],
    ),
    (
        "social services",
        &[
            "Centre communal d'action sociale Nord",
            "Accueil de jour La Halte",
            "Service social départemental Ouest",
            "Plateforme emploi-insertion Tremplin",
        ],
    ),
    (
        "education",
        &[
            "Clinique juridique universitaire",
            "Centre d'information jeunesse Horizon",
            "Réseau des infirmières scolaires",
        ],
    ),
    (
        "government",
        &[
            "Délégation départementale aux droits des femmes",
            "Mission traite de la préfecture",
            "Service égalité de la mairie",
        ],
    ),
    (
        "community",
        &[
            "Collectif Nouvelles Voies",
            "Solidarité Femmes Migrantes",
            "Réseau Accueil Sans Frontières",
            "Paroles de Femmes",
            "Collectif Main Tendue",
        ],
    ),
];

/// Organisations that applied to the coalition and were not admitted (one blocked with a
/// single endorsement, one refused).
pub(crate) const COALITION_APPLICANTS: &[(&str, &str)] = &[
    ("community", "Association Nouveau Départ"),
    ("social services", "Entraide Rive Gauche"),
];

/// Coalition action items (owner and due date are added per meeting).
pub(crate) const ACTION_ITEMS: &[&str] = &[
    "Update the referral pathway leaflet",
    "Circulate the training calendar",
    "Review the terms of reference",
    "Reconfirm representatives' contact details",
    "Prepare non-identifying case examples",
    "Organise the awareness day",
    "Share the shelter capacity survey",
    "Draft the annual report section",
    "Map interpreting services",
    "Follow up the police training request",
];
