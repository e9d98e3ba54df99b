//! The session read's kept connections (#18, `backend::db::Lanes`): a connection given
//! back is used again without going through the pool (whose release pings it), at most
//! the set number are kept, and one whose statement failed is closed, never reused.

use backend::db::Lanes;

async fn pid(lanes: &Lanes) -> (backend::db::Lane, i32) {
    let mut lane = lanes.take().await.unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *lane)
        .await
        .unwrap();
    (lane, pid)
}

#[tokio::test]
async fn a_kept_connection_is_used_again_at_most_two_are_kept_and_a_failed_one_is_closed() {
    let url = tests::fresh_database().await;
    let pool = backend::db::connect(&url, 4).await.unwrap();
    let lanes = Lanes::new(pool.clone(), 2);

    // Given back, the same connection serves the next statement.
    let (lane, first) = pid(&lanes).await;
    lane.done();
    assert_eq!(lanes.kept(), 1);
    let (lane, again) = pid(&lanes).await;
    assert_eq!(again, first, "the kept connection is used again");
    lane.done();

    // Three at once: two kept, the third given back to the pool.
    let (a, pa) = pid(&lanes).await;
    let (b, pb) = pid(&lanes).await;
    let (c, pc) = pid(&lanes).await;
    assert!(pa != pb && pb != pc && pa != pc);
    assert_eq!(
        lanes.kept(),
        1,
        "only the one kept before is out of the pool"
    );
    for lane in [a, b, c] {
        lane.done();
    }
    assert_eq!(lanes.kept(), 2, "at most two are kept");
    let (x, px) = pid(&lanes).await;
    let (y, py) = pid(&lanes).await;
    x.done();

    // A statement that fails: its connection is closed, not kept.
    let mut lane = y;
    let failed = sqlx::query("SELECT 1/0").execute(&mut *lane).await;
    assert!(failed.is_err());
    drop(lane);
    assert_eq!(lanes.kept(), 1, "the failed one is no longer kept");
    let mut gone = false;
    for _ in 0..50 {
        let alive: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = $1")
            .bind(py)
            .fetch_one(&pool)
            .await
            .unwrap();
        if alive == 0 {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(gone, "the connection of the failed statement is closed");
    let (z, pz) = pid(&lanes).await;
    assert_eq!(pz, px, "the kept one that succeeded serves again");
    z.done();
}
