//! What a campaign tells its [`Observer`]: the executions it plans, and those a unit will not
//! run because it ended early (a failure, a DFS out of schedules), so that a progress bar's
//! length is the work actually left.

mod support;

use std::sync::Mutex;
use std::time::Duration;

use fwsim_scenario::fuzz::{Explorer, Observer, Plan, fuzz};
use fwsim_scenario::{App, Scenario};

/// Every call but `executed`, in order.
#[derive(Default)]
struct Told(Mutex<Vec<String>>);

impl Observer for Told {
    fn planned(&self, executions: u64) {
        self.0.lock().unwrap().push(format!("planned {executions}"));
    }
    fn skipped(&self, executions: u64) {
        self.0.lock().unwrap().push(format!("skipped {executions}"));
    }
    fn unit_done(&self, _: &std::path::Path, unit: u64, executions: u64, _: usize, _: usize) {
        self.0.lock().unwrap().push(format!("unit {unit} ran {executions}"));
    }
}

fn campaign(scenario: &str, explorer: Explorer, iterations: u64, name: &str) -> Vec<String> {
    let apps = fwsim_cli::apps::builtin();
    let loaded = fwsim_scenario::load(&support::root().join("scenarios").join(scenario), &apps, None).unwrap();
    let app = *apps.iter().find(|a| a.name() == loaded.app).unwrap();
    let pairs: Vec<(Scenario, &dyn App)> = vec![(loaded, app)];
    let out = support::scratch(name);
    let plan = Plan {
        explorer,
        iterations,
        chunk: 10,
        keep_going: true,
        out: out.to_path_buf(),
        shrink_limit: Duration::ZERO,
        ..Plan::default()
    };
    let told = Told::default();
    fuzz(&plan, &pairs, &told).unwrap();
    told.0.into_inner().unwrap()
}

#[test]
fn a_dfs_out_of_schedules_skips_the_rest_of_its_unit() {
    // Bound 0: the run order's own schedule is the only one.
    let told = campaign("button-click.yaml", Explorer::Dfs { bound: 0 }, 50, "observer-dfs");
    assert_eq!(told, ["planned 50", "skipped 49", "unit 0 ran 1"]);
}

#[test]
fn a_failing_unit_skips_the_rest_of_its_unit() {
    // Fails in the run order's own schedule: each unit stops at its first execution.
    let told = campaign("must-fail/heater-too-soon.yaml", Explorer::Random, 25, "observer-failing");
    let expected =
        ["planned 25", "skipped 9", "unit 0 ran 1", "skipped 9", "unit 1 ran 1", "skipped 4", "unit 2 ran 1"];
    assert_eq!(told, expected);
}
