//! exec.rs in this test process itself: the process becomes a child subreaper
//! and stops orphans after each program, so these tests live alone in their
//! binary (children another test started with std's Command would be orphans).
use crossflake::exec::{self, Ending, Output};
use crossflake::plan::Step;

/// Programs run from several threads at once never take each other for orphans of
/// the subreaper: a child another thread is spawning right then is not killed.
#[test]
fn programs_started_side_by_side_are_never_killed_as_orphans() {
    let wrong = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..150 {
                    let step = Step::new("true", "true");
                    let (o, _) = exec::run(&step, Output::Log(std::path::Path::new("/dev/null"))).unwrap();
                    if o.ending != Ending::Exited(0) {
                        wrong.lock().unwrap().push(o.ending);
                    }
                }
            });
        }
    });
    assert_eq!(wrong.into_inner().unwrap(), vec![], "of 1200 runs of `true`, these ended otherwise");
}
