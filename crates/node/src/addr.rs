//! Peer addresses (`<device id>@<ip:port>[,<ip:port>…]`) and invitation tickets (short text:
//! `carnet1` + base32 of the organisation, the inviter's key and addresses, a one-time
//! secret, and a 4-byte checksum so that a typo says "mistyped ticket").

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use data_encoding::BASE32_NOPAD;
use serde::{Deserialize, Serialize};

/// Why an address or ticket could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddrError {
    /// Not `<64 hex digits>@<ip:port>[,…]`.
    #[error("expected a peer address DEVICE_ID@IP:PORT (as printed by `carnet serve`)")]
    Peer,
    /// Not a Carnet ticket.
    #[error("not a Carnet invitation ticket (it starts with carnet1)")]
    Ticket,
    /// A ticket whose checksum does not match: a letter changed, added or left out.
    #[error("mistyped ticket: a letter is wrong or missing; copy it again (or scan its code)")]
    Mistyped,
}

/// The bytes of a ticket's checksum, after its content.
const CHECKSUM: usize = 4;

fn checksum(bytes: &[u8]) -> [u8; CHECKSUM] {
    let h = blake3::hash(bytes);
    let mut out = [0; CHECKSUM];
    out.copy_from_slice(&h.as_bytes()[..CHECKSUM]);
    out
}

/// How to reach a peer: its device id (iroh endpoint id) and socket addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerAddr {
    /// The peer's device id.
    pub id: [u8; 32],
    /// Where it listens.
    pub addrs: Vec<SocketAddr>,
}

impl PeerAddr {
    /// This address as an invitation ticket carries it: the addresses on a local network
    /// only (private IPv4 ranges, IPv6 unique-local addresses), not every interface's (a public
    /// IPv6 address that follows the laptop from network to network); when there is none, every address but
    /// link-local ones; loopback only when that is all there is.
    pub fn for_ticket(&self) -> PeerAddr {
        let lan = |a: &SocketAddr| match a.ip() {
            std::net::IpAddr::V4(v4) => v4.is_private(),
            std::net::IpAddr::V6(v6) => v6.is_unique_local(),
        };
        let reachable = |a: &SocketAddr| match a.ip() {
            std::net::IpAddr::V4(v4) => {
                !(v4.is_loopback() || v4.is_link_local() || v4.is_unspecified())
            }
            std::net::IpAddr::V6(v6) => {
                !(v6.is_loopback() || v6.is_unicast_link_local() || v6.is_unspecified())
            }
        };
        let pick = |keep: &dyn Fn(&SocketAddr) -> bool| -> Vec<SocketAddr> {
            self.addrs.iter().copied().filter(|a| keep(a)).collect()
        };
        let mut addrs = pick(&lan);
        if addrs.is_empty() {
            addrs = pick(&reachable);
        }
        if addrs.is_empty() {
            addrs = self.addrs.clone();
        }
        PeerAddr { id: self.id, addrs }
    }
}

impl fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addrs: Vec<String> = self.addrs.iter().map(ToString::to_string).collect();
        write!(f, "{}@{}", hex::encode(self.id), addrs.join(","))
    }
}

impl FromStr for PeerAddr {
    type Err = AddrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, addrs) = s.trim().split_once('@').ok_or(AddrError::Peer)?;
        let mut key = [0u8; 32];
        hex::decode_to_slice(id, &mut key).map_err(|_| AddrError::Peer)?;
        let addrs = addrs
            .split(',')
            .filter(|a| !a.is_empty())
            .map(|a| a.parse::<SocketAddr>().map_err(|_| AddrError::Peer))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PeerAddr { id: key, addrs })
    }
}

/// An invitation ticket: what a new device needs to join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// The organisation.
    pub org: [u8; 16],
    /// The inviting device and where it listens.
    pub inviter: PeerAddr,
    /// The one-time secret.
    pub secret: [u8; 16],
}

const PREFIX: &str = "carnet1";

impl fmt::Display for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = postcard::to_stdvec(self).unwrap_or_default();
        let sum = checksum(&bytes);
        bytes.extend_from_slice(&sum);
        write!(f, "{PREFIX}{}", BASE32_NOPAD.encode(&bytes).to_lowercase())
    }
}

impl FromStr for Ticket {
    type Err = AddrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let body: String = s
            .trim()
            .strip_prefix(PREFIX)
            .ok_or(AddrError::Ticket)?
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if body.len() > 1024 {
            return Err(AddrError::Ticket);
        }
        let bytes = BASE32_NOPAD
            .decode(body.to_uppercase().as_bytes())
            .map_err(|_| AddrError::Mistyped)?;
        let Some(split) = bytes.len().checked_sub(CHECKSUM) else {
            return Err(AddrError::Mistyped);
        };
        let (content, sum) = bytes.split_at(split);
        if checksum(content) != sum {
            return Err(AddrError::Mistyped);
        }
        match postcard::take_from_bytes::<Ticket>(content) {
            Ok((t, [])) => Ok(t),
            _ => Err(AddrError::Ticket),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_tickets_round_trip_and_junk_is_refused() {
        let peer = PeerAddr {
            id: [7; 32],
            addrs: vec![
                "127.0.0.1:4000".parse().unwrap(),
                "[::1]:5".parse().unwrap(),
            ],
        };
        assert_eq!(peer.to_string().parse::<PeerAddr>(), Ok(peer.clone()));
        let t = Ticket {
            org: [1; 16],
            inviter: peer,
            secret: [9; 16],
        };
        let text = t.to_string();
        assert!(text.len() < 160, "{} chars", text.len());
        assert_eq!(text.parse::<Ticket>(), Ok(t));
        assert!("carnet1zzzz".parse::<Ticket>().is_err());
        assert!("hello".parse::<Ticket>().is_err());
        assert!("xyz@1.2.3.4:5".parse::<PeerAddr>().is_err());
        let mut longer = text.clone();
        longer.push_str("aa");
        assert!(longer.parse::<Ticket>().is_err());
        // Every single-letter typo is caught by the checksum, and said to be one.
        let body = &text["carnet1".len()..];
        for i in 0..body.len() {
            let mut typo: Vec<char> = body.chars().collect();
            typo[i] = if typo[i] == 'a' { 'b' } else { 'a' };
            let typo: String = typo.into_iter().collect();
            assert_eq!(
                format!("carnet1{typo}").parse::<Ticket>(),
                Err(AddrError::Mistyped),
                "letter {i}"
            );
        }
        let shorter = &text[..text.len() - 1];
        assert!(shorter.parse::<Ticket>().is_err());
    }

    #[test]
    fn a_ticket_carries_the_local_network_addresses_only() {
        let at = |list: &[&str]| PeerAddr {
            id: [9; 32],
            addrs: list.iter().map(|a| a.parse().unwrap()).collect(),
        };
        let laptop = at(&[
            "127.0.0.1:4000",
            "192.168.1.23:4000",
            "10.8.0.2:4000",
            "[2a01:e0a:1:2::17]:4000",
            "[fe80::1]:4000",
            "[fd00::23]:4000",
        ]);
        assert_eq!(
            laptop.for_ticket(),
            at(&["192.168.1.23:4000", "10.8.0.2:4000", "[fd00::23]:4000"])
        );
        let public_only = at(&["127.0.0.1:4000", "[fe80::1]:4000", "203.0.113.5:4000"]);
        assert_eq!(public_only.for_ticket(), at(&["203.0.113.5:4000"]));
        let loopback = at(&["127.0.0.1:4000"]);
        assert_eq!(loopback.for_ticket(), loopback);
    }
}
