//! Fictitious names and personal details: Yoruba, Igbo, French and Congolese names with their
//! diacritics, cities, streets and the other words personal files are made of.
//!
//! Every person and address here is invented. Personal values are made distinctive (a phone
//! number, "Paris 18e" rather than "Paris") so that scanning an export for them finds real leaks,
//! not common words.

/// Yoruba given names (tone marks and dots below).
pub(crate) const YORUBA_GIVEN: &[&str] = &[
    "Adébáyọ̀",
    "Adéọlá",
    "Fúnmiláyọ̀",
    "Títílayọ̀",
    "Ọlámidé",
    "Bọ́lánlé",
    "Yéwándé",
    "Mọ́rádéyọ̀",
    "Fọláṣadé",
    "Àbẹ̀ní",
    "Ayọ̀délé",
    "Mọ́jísọ́lá",
    "Kẹ́hìndé",
    "Táíwò",
    "Ìyábọ̀",
    "Bùkọ́lá",
    "Dàmilọ́lá",
    "Tèmítọ́pẹ́",
    "Ìfẹ́olúwa",
    "Oyíndàmọ́lá",
];

/// Yoruba family names.
pub(crate) const YORUBA_FAMILY: &[&str] = &[
    "Ọlátúnjí",
    "Àkàndé",
    "Ògúnlẹ́yẹ",
    "Adéyẹmí",
    "Babátúndé",
    "Oyèwọlé",
    "Fáṣọlá",
    "Ọládipọ̀",
    "Àjàyí",
    "Ògúndìran",
    "Ìdòwú",
    "Adébáyọ̀",
];

/// Igbo given names.
pub(crate) const IGBO_GIVEN: &[&str] = &[
    "Chíàmàká",
    "Ngọ̀zí",
    "Adaẹzè",
    "Chíọmá",
    "Ụ̀jụ̀",
    "Ifeọma",
    "Nkéchí",
    "Obiàgeli",
    "Chinyèrè",
    "Ebèrè",
    "Ògechí",
    "Ụ̀chéchí",
    "Nnéka",
    "Chìdínmà",
    "Ọnyinyè",
    "Amàrachí",
    "Ìfẹ́yinwa",
    "Kàmsíyọ̀",
];

/// Igbo family names.
pub(crate) const IGBO_FAMILY: &[&str] = &[
    "Okonkwọ",
    "Nwọsụ",
    "Ezèọkà",
    "Okàfọ̀",
    "Nwàchukwu",
    "Ìhèjìrìká",
    "Onyekàchí",
    "Ùchéńnà",
    "Obìọ́ra",
    "Nnàmdí",
    "Ọnwụ̀mẹ̀chílì",
    "Èzèánì",
];

/// French given names.
pub(crate) const FRENCH_GIVEN: &[&str] = &[
    "Hélène",
    "Élodie",
    "Maëlle",
    "Clémence",
    "Noémie",
    "Océane",
    "Inès",
    "Zoé",
    "Anaïs",
    "Chloé",
    "Séverine",
    "Françoise",
    "Bérénice",
    "Gaëlle",
    "Mélanie",
    "Solène",
    "Joséphine",
    "Aurélie",
    "Léonie",
    "Mégane",
];

/// French family names.
pub(crate) const FRENCH_FAMILY: &[&str] = &[
    "Lefèvre",
    "Duboisé",
    "Mercier",
    "Bérenger",
    "Moreau-Lainé",
    "Girardière",
    "Rousseaux",
    "Lemaître",
    "Chevallier",
    "Fauré",
    "Bénézet",
    "Ménard",
];

/// Given names common in Congolese families (French-speaking).
pub(crate) const CONGOLESE_GIVEN: &[&str] = &[
    "Grâce",
    "Espérance",
    "Bénédicte",
    "Dorcas",
    "Prisca",
    "Merveille",
    "Exaucée",
    "Gloria",
    "Bénie",
    "Josée",
];

/// Congolese family names.
pub(crate) const CONGOLESE_FAMILY: &[&str] = &[
    "Mbuyi",
    "Kabongo",
    "Mukendi",
    "Tshibanda",
    "Ilunga",
    "Nsimba",
    "Lukusa",
    "Kalonji",
    "Mwamba",
];

/// Cities of residence, with the postcode used in addresses. Paris is split by
/// arrondissement so that no city value is a common word.
pub(crate) const CITIES: &[(&str, &str, &str)] = &[
    ("Paris 18e", "75018", "Paris"),
    ("Paris 18e", "75018", "Paris"),
    ("Paris 19e", "75019", "Paris"),
    ("Paris 20e", "75020", "Paris"),
    ("Paris 10e", "75010", "Paris"),
    ("Saint-Denis", "93200", "Saint-Denis"),
    ("Montreuil", "93100", "Montreuil"),
    ("Marseille 3e", "13003", "Marseille"),
    ("Nice", "06300", "Nice"),
    ("Montpellier", "34070", "Montpellier"),
    ("Bayonne", "64100", "Bayonne"),
];

/// Street names for addresses.
pub(crate) const STREETS: &[&str] = &[
    "rue des Lilas",
    "rue du Château-Rouge",
    "boulevard Ney",
    "rue Marcadet",
    "allée des Tilleuls",
    "rue de la Chapelle",
    "avenue Jean-Jaurès",
    "rue des Glycines",
    "impasse du Moulin",
    "rue Pajol",
    "chemin des Vignes",
    "rue de l'Évangile",
];

/// Immigration or residence statuses of people who are not French nationals.
pub(crate) const IMMIGRATION: &[&str] = &[
    "asylum seeker",
    "refugee status (OFPRA)",
    "multi-year residence permit",
    "temporary residence permit (exit programme)",
    "residence permit under the trafficking provisions",
    "awaiting a residence permit decision",
    "undocumented",
];

/// Charities that refer people to the association.
pub(crate) const REFERRERS: &[&str] = &[
    "Amicale du Nid",
    "Aux Captifs la Libération",
    "Les Amis du Bus des Femmes",
    "Comité contre l'esclavage moderne",
    "France terre d'asile",
    "Médecins du Monde",
    "Foyer Jorbalan",
];

/// The first letter of `name` with its accents, for display names like "Chíàmàká N.".
pub(crate) fn initial(name: &str) -> String {
    let mut chars = name.chars();
    let mut out = String::new();
    if let Some(c) = chars.next() {
        out.push(c);
    }
    // Combining marks (tone marks, dots below) belong to the letter before them.
    out.extend(chars.take_while(|c| ('\u{300}'..='\u{36f}').contains(c)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_keep_their_accents() {
        assert_eq!(initial("Ọ̀la"), "Ọ̀");
        assert_eq!(initial("Èzè"), "È");
        assert_eq!(initial(""), "");
    }
}
