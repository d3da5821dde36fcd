//! Peer addresses (`<device id>@<ip:port>[,<ip:port>…]`) and invitation tickets (short text:
//! `carnet1` + base32 of the organisation, the inviter's key and addresses, and a one-time
//! secret).

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
}

/// How to reach a peer: its device id (iroh endpoint id) and socket addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerAddr {
    /// The peer's device id.
    pub id: [u8; 32],
    /// Where it listens.
    pub addrs: Vec<SocketAddr>,
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
        let bytes = postcard::to_stdvec(self).unwrap_or_default();
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
            .map_err(|_| AddrError::Ticket)?;
        match postcard::take_from_bytes::<Ticket>(&bytes) {
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
    }
}
