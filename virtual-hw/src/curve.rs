//! Values that follow a piecewise-linear curve over virtual time, for sensor models.

use fwsim::SimTime;

/// A piecewise-linear function of virtual time: linear between its points, constant before
/// the first and after the last.
///
/// ```
/// use fwsim::SimTime;
/// use fwsim_hw::Curve;
///
/// let warm_up = Curve::new(&[(SimTime::from_secs(0), 20.0), (SimTime::from_secs(10), 30.0)]);
/// assert_eq!(warm_up.at(SimTime::from_secs(5)), 25.0);
/// assert_eq!(warm_up.at(SimTime::from_secs(60)), 30.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    points: Vec<(SimTime, f64)>,
}

impl Curve {
    /// A curve through `points`, which must be in strictly increasing time order.
    pub fn new(points: &[(SimTime, f64)]) -> Self {
        assert!(!points.is_empty(), "fwsim-hw: a curve needs at least one point");
        assert!(
            points.windows(2).all(|w| w[0].0 < w[1].0),
            "fwsim-hw: curve points must be in strictly increasing time order"
        );
        Curve { points: points.to_vec() }
    }

    /// The same value at all times.
    pub fn constant(value: f64) -> Self {
        Curve { points: vec![(SimTime::ZERO, value)] }
    }

    /// The value at `t`.
    pub fn at(&self, t: SimTime) -> f64 {
        let i = self.points.partition_point(|p| p.0 <= t);
        if i == 0 {
            return self.points[0].1;
        }
        if i == self.points.len() {
            return self.points[i - 1].1;
        }
        let ((t0, v0), (t1, v1)) = (self.points[i - 1], self.points[i]);
        let f = (t.as_nanos() - t0.as_nanos()) as f64 / (t1.as_nanos() - t0.as_nanos()) as f64;
        v0 + (v1 - v0) * f
    }
}

impl From<f64> for Curve {
    fn from(v: f64) -> Self {
        Curve::constant(v)
    }
}
