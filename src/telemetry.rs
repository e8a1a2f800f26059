//! Logging set up once: an env-filter and text or JSON lines on stderr.

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::settings::{LogFormat, Settings};

/// Installs the global subscriber. Call once, from `main`.
pub fn init(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match settings.log_format {
        LogFormat::Json => registry.with(fmt::layer().json().with_current_span(true).with_writer(std::io::stderr)).try_init(),
        LogFormat::Text => registry.with(fmt::layer().with_ansi(std::io::stderr().is_terminal()).with_writer(std::io::stderr)).try_init(),
    };
    if result.is_err() {
        eprintln!("logging was already initialised");
    }
}
