//! Resident memory of this process, from `/proc/self/status`: the peak (`VmHWM`) and the
//! current size (`VmRSS`). The peak can be reset to the current size (`/proc/self/clear_refs`,
//! Linux 4.0 and later) so that a phase's peak is its own.

use serde::{Deserialize, Serialize};

/// Memory figures of a process, in MB.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Memory {
    /// Peak resident memory since the process started or the peak was last reset.
    pub(crate) peak_mb: f64,
    /// Resident memory now.
    pub(crate) now_mb: f64,
    /// Resident memory when the peak was last reset (none: never reset, or it could not be).
    pub(crate) floor_mb: Option<f64>,
}

static FLOOR: std::sync::Mutex<Option<f64>> = std::sync::Mutex::new(None);

fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// This process's figures now.
pub(crate) fn now() -> Memory {
    Memory {
        peak_mb: status_mb("VmHWM:"),
        now_mb: status_mb("VmRSS:"),
        floor_mb: FLOOR.lock().ok().and_then(|f| *f),
    }
}

/// Resets the peak to the current resident memory (if the kernel lets it).
pub(crate) fn reset_peak() {
    if std::fs::write("/proc/self/clear_refs", "5").is_ok()
        && let Ok(mut floor) = FLOOR.lock()
    {
        *floor = Some(status_mb("VmRSS:"));
    }
}
