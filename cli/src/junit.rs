//! JUnit XML for CI: one test suite per run, one test case per scenario.

use fwsim::SimTime;
use fwsim_scenario::{Outcome, Report};
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

/// The run as JUnit XML. Times are virtual (the scenario's end), so the file is deterministic.
pub fn xml(reports: &[Report]) -> String {
    let mut suite = TestSuite::new("fwsim scenarios");
    for r in reports {
        let status = match &r.outcome {
            Outcome::Passed => TestCaseStatus::success(),
            Outcome::Failed(f) | Outcome::TimedOut(f) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let kind = if matches!(r.outcome, Outcome::TimedOut(_)) { "timeout" } else { "failure" };
                s.set_type(kind);
                s.set_message(format!("{}:{}: at {}: {}", r.file.display(), f.line, SimTime(f.at_ns), f.message));
                s.set_description(r.human(true));
                s
            }
        };
        let mut case = TestCase::new(r.name.clone(), status);
        case.set_classname(r.file.display().to_string());
        case.set_time(std::time::Duration::from_nanos(r.end_ns));
        if let Some(text) = r.serial.values().next() {
            case.set_system_out_lossy(text.as_bytes());
        }
        suite.add_test_case(case);
    }
    let mut report = quick_junit::Report::new("fwsim");
    report.add_test_suite(suite);
    report.to_string().expect("JUnit XML serialises")
}
