//! Semaphore.

use super::*;

#[test]
fn semaphore_hands_permits_out_in_arrival_order() {
    for policy in [Policy::Embassy, Policy::MicroPython] {
        fwsim::test_with(SimConfig::new().policy(policy.clone()), |sim| {
            let sem: &Semaphore<M> = sim.alloc(Semaphore::new(2));
            let log = &*sim.alloc(Log::default());
            for (i, name) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
                sim.spawn(name, async move {
                    Timer::after_millis(i as u64).await;
                    let _permit = sem.acquire().await;
                    log.at(name);
                    Timer::after_millis(10).await;
                });
            }
            sim.run_until_quiescent(fwsim::secs(1)).unwrap();
            assert_eq!(log.lines(), strs(&["a@0", "b@1", "c@10", "d@11", "e@20"]), "{policy:?}");
            assert_eq!(sem.available(), 2);
        });
    }
}

#[test]
fn bounded_semaphore_refuses_over_release_and_plain_one_grows() {
    let bounded = Semaphore::<M>::bounded(2);
    assert_eq!(bounded.release(), Err(OverRelease));
    bounded.try_acquire().unwrap().forget();
    assert_eq!(bounded.release(), Ok(()));
    assert_eq!(bounded.available(), 2);
    let plain = Semaphore::<M>::new(1);
    plain.release().unwrap();
    assert_eq!(plain.available(), 2, "Semaphore.release() is unbounded, as in the toolkit");
}

#[test]
fn a_permit_handed_to_a_cancelled_waiter_passes_on() {
    both(|sim| {
        let sem: &Semaphore<M> = sim.alloc(Semaphore::new(1));
        let log = &*sim.alloc(Log::default());
        let victim_slot: &RefCell<Option<fwsim::JoinHandle<()>>> = sim.alloc(RefCell::new(None));
        sim.spawn("holder", async move {
            let p = sem.acquire().await;
            Timer::after_millis(5).await;
            drop(p); // handed to the victim...
            if let Some(v) = victim_slot.borrow().as_ref() {
                v.abort(); // ...aborted before it runs
            }
        });
        *victim_slot.borrow_mut() = Some(sim.spawn("victim", async move {
            Timer::after_millis(1).await;
            let _p = sem.acquire().await;
            log.at("victim");
        }));
        sim.spawn("next", async move {
            Timer::after_millis(2).await;
            let _p = sem.acquire().await;
            log.at("next");
        });
        sim.run_until_quiescent(fwsim::secs(1)).unwrap();
        assert_eq!(log.lines(), strs(&["next@5"]));
        assert_eq!(sem.available(), 1);
    });
}
