//! Overrides added through the Schedule API, in the database (`schedule_overrides`), and the
//! configuration they make with the configuration file's ([`effective`]).
//!
//! A row holds the schedule's name, the alias, the order `n` (a later override wins where they
//! overlap) and the override as JSON, exactly as the core read it. The configuration every
//! answer uses is the core's [`live_overrides::apply`] of the stored rows on top of the file's
//! configuration: validated by the core, with errors naming their paths.

use crate::Error;
use crate::runtime::Configs;
use crate::store::{Conn, params};
use oncall_core::Loaded;
use oncall_core::config::Override;
use oncall_core::live_overrides::{self, AddedOverride};
use std::sync::Arc;

/// Every stored override, in order.
pub fn load_all(c: &Conn) -> Result<Vec<AddedOverride>, Error> {
    let rows: Vec<(String, String, String)> = c
        .query("SELECT schedule, alias, body FROM schedule_overrides ORDER BY n", &[])?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .collect::<Result<_, Error>>()?;
    rows.into_iter()
        .map(|(schedule, alias, body)| {
            let body: Override = serde_json::from_str(&body)
                .map_err(|e| Error::Corrupt(format!("override {alias:?} of schedule {schedule:?}: {e}")))?;
            Ok(AddedOverride { schedule, body })
        })
        .collect()
}

/// The configuration of `base` with the stored overrides on top; an error names each override
/// the file's configuration refuses (as the core reports it).
pub fn effective(c: &Conn, base: &Loaded) -> Result<Result<Loaded, oncall_core::Error>, Error> {
    Ok(live_overrides::apply(base, &load_all(c)?, None))
}

/// What a change of the stored overrides did.
pub enum Change {
    /// Done; the alias.
    Done(String),
    /// The core refused it: its problems.
    Refused(oncall_core::Error),
    /// No stored override has this alias (it may be the configuration file's).
    NotStored,
}

fn body_json(o: &Override) -> Result<String, Error> {
    serde_json::to_string(o).map_err(|e| Error::Internal(e.to_string()))
}

/// Adds (`replace`: false) or replaces an override of `schedule`, if the core accepts the
/// result; then puts the new configuration in place. One transaction.
pub fn put(
    c: &mut Conn,
    configs: &Configs,
    schedule: &str,
    body: Override,
    replace: bool,
    now: i64,
) -> Result<Change, Error> {
    let alias = body.alias.clone().unwrap_or_default();
    let tx = c.transaction()?;
    let mut added = load_all(&tx)?;
    let at = added.iter().position(|a| a.schedule == schedule && a.body.alias.as_deref() == Some(alias.as_str()));
    let focus = match (replace, at) {
        (true, None) => return Ok(Change::NotStored),
        (true, Some(i)) => {
            added[i].body = body.clone();
            i
        }
        (false, _) => {
            added.push(AddedOverride { schedule: schedule.to_string(), body: body.clone() });
            added.len() - 1
        }
    };
    let base = configs.base();
    let config = match live_overrides::apply(&base, &added, Some(focus)) {
        Ok(c) => c,
        Err(e) => return Ok(Change::Refused(e)),
    };
    if replace {
        tx.execute(
            "UPDATE schedule_overrides SET body = ?3, updated_at = ?4 WHERE schedule = ?1 AND alias = ?2",
            params![schedule, alias, body_json(&body)?, now],
        )?;
    } else {
        let n: i64 = tx.value("SELECT COALESCE(MAX(n), 0) + 1 FROM schedule_overrides", &[])?;
        tx.execute(
            "INSERT INTO schedule_overrides (schedule, alias, n, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![schedule, alias, n, body_json(&body)?, now],
        )?;
    }
    bump_version(&tx)?;
    configs.install(&tx, base, Arc::new(config))?;
    tx.commit()?;
    Ok(Change::Done(alias))
}

/// Deletes a stored override and puts the configuration without it in place.
pub fn delete(c: &mut Conn, configs: &Configs, schedule: &str, alias: &str) -> Result<Change, Error> {
    let tx = c.transaction()?;
    let n =
        tx.execute("DELETE FROM schedule_overrides WHERE schedule = ?1 AND alias = ?2", params![schedule, alias])?;
    if n == 0 {
        return Ok(Change::NotStored);
    }
    let base = configs.base();
    let config = match effective(&tx, &base)? {
        Ok(c) => c,
        Err(e) => return Ok(Change::Refused(e)),
    };
    bump_version(&tx)?;
    configs.install(&tx, base, Arc::new(config))?;
    tx.commit()?;
    Ok(Change::Done(alias.to_string()))
}

/// Counts a change of the stored overrides (the other replicas reload them, [`Configs::sync`]).
fn bump_version(c: &Conn) -> Result<(), Error> {
    c.execute("UPDATE config_versions SET overrides = overrides + 1 WHERE id = 1", &[])?;
    Ok(())
}

/// The version of the stored overrides.
pub fn version(c: &Conn) -> Result<i64, Error> {
    Ok(c.value_opt("SELECT overrides FROM config_versions WHERE id = 1", &[])?.unwrap_or(0))
}
