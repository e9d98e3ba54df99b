//! How the process hands memory back to the system.
//!
//! A password hash (argon2id, see `backend::identity`) allocates 19 MiB and frees it tens
//! of milliseconds later. glibc serves an allocation that large with its own mapping and
//! unmaps it on free — but only until the first such free: then it raises its mapping
//! threshold above that size, and from there on every hash is carved out of one of the
//! per-thread heaps (up to eight per core), which keep what was freed. Under a burst of
//! sign-ins that was hundreds of MiB held long after the burst (the `sign_in` benchmark
//! printed peaks of 530–690 MiB with four hashes at a time). Fixing the threshold turns
//! the adjustment off: every large allocation is mapped for its lifetime and returned
//! when freed, so resident memory follows the hashes actually running.

/// Allocations of at least this many bytes get a mapping of their own.
pub const MMAP_THRESHOLD: usize = 1 << 20;

/// Fixes glibc's mapping threshold at [`MMAP_THRESHOLD`]. Returns whether the allocator
/// took the setting (always false off glibc, where there is nothing to fix).
pub fn return_large_allocations() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes an allocator tuning value; it is thread-safe in
        // glibc and has no memory-safety preconditions.
        unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}
