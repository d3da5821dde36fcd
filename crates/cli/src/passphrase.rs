//! Reading the passphrase: from CARNET_PASSPHRASE (scripts, tests) or a prompt on the terminal;
//! a new one for `carnet passphrase` from CARNET_NEW_PASSPHRASE or a prompt.

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

/// Minimum length of a new passphrase, in characters.
const MIN_LEN: usize = 8;

/// The passphrase; `new` asks twice and checks its length (for `carnet init`).
pub(crate) fn read(new: bool) -> Result<Zeroizing<String>> {
    read_from("CARNET_PASSPHRASE", new)
}

/// The new passphrase of `carnet passphrase`: from CARNET_NEW_PASSPHRASE, or asked twice; its
/// length checked.
pub(crate) fn read_replacement() -> Result<Zeroizing<String>> {
    read_from("CARNET_NEW_PASSPHRASE", true)
}

fn read_from(var: &str, new: bool) -> Result<Zeroizing<String>> {
    let pass = match std::env::var(var) {
        Ok(p) => Zeroizing::new(p),
        Err(_) => {
            let p = Zeroizing::new(
                rpassword::prompt_password(if new {
                    "New passphrase: "
                } else {
                    "Passphrase: "
                })
                .context(
                    "cannot read the passphrase (set CARNET_PASSPHRASE when not at a terminal)",
                )?,
            );
            if new {
                let again = Zeroizing::new(
                    rpassword::prompt_password("Repeat the passphrase: ")
                        .context("cannot read the passphrase")?,
                );
                if *again != *p {
                    bail!("the two passphrases differ");
                }
            }
            p
        }
    };
    if new && pass.chars().count() < MIN_LEN {
        bail!("the passphrase must have at least {MIN_LEN} characters");
    }
    if pass.is_empty() {
        bail!("the passphrase is empty");
    }
    Ok(pass)
}
