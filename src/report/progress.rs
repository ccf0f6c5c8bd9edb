//! Progress for long runs (the matrix): a live status line on a terminal,
//! plain lines elsewhere, JSON events with --message-format json.
use crate::events::TargetResult;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

pub struct Progress {
    json: bool,
    live: bool,
    start: Instant,
    /// Targets finished, and the phase of each running one.
    state: Mutex<(usize, BTreeMap<String, String>)>,
}

impl Progress {
    pub fn new(json: bool) -> Progress {
        // SAFETY: isatty only inspects the descriptor.
        let live = !json && unsafe { libc::isatty(2) } == 1;
        Progress { json, live, start: Instant::now(), state: Mutex::new((0, BTreeMap::new())) }
    }

    fn redraw(&self, done: usize, running: &BTreeMap<String, String>, line: Option<&str>) {
        let mut err = std::io::stderr().lock();
        if self.live {
            let _ = write!(err, "\r\x1b[K");
        }
        if let Some(l) = line {
            let _ = writeln!(err, "{l}");
        }
        if self.live && !running.is_empty() {
            let now: Vec<String> = running.iter().map(|(t, s)| format!("{t} ({s})")).collect();
            let _ = write!(err, "[{done} done, {:.0}s] {}", self.start.elapsed().as_secs_f64(), now.join(", "));
        }
        let _ = err.flush();
    }

    /// A target entered a phase ("building", "testing").
    pub fn phase(&self, target: &str, phase: &str) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.1.insert(target.to_string(), phase.to_string());
        if self.json {
            emit(serde_json::json!({"event": "target-phase", "target": target, "phase": phase}));
        } else {
            let line = (!self.live).then(|| format!("crossflake: {target}: {phase}"));
            self.redraw(st.0, &st.1, line.as_deref());
        }
    }

    /// A target is done.
    pub fn finished(&self, r: &TargetResult) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.0 += 1;
        st.1.remove(&r.target);
        if self.json {
            emit(serde_json::json!({"event": "target-finished", "result": r}));
        } else {
            let line = format!(
                "crossflake: {}: build {}, test {} ({:.1} s)",
                r.target,
                r.build.word(),
                r.test.word(),
                r.seconds
            );
            self.redraw(st.0, &st.1, Some(&line));
        }
    }
}

fn emit(v: serde_json::Value) {
    let mut o = std::io::stdout().lock();
    let _ = writeln!(o, "{v}");
    let _ = o.flush();
}
