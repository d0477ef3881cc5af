//! Single-threaded vector kernels at the [active](crate::Level::active)
//! level: AVX-512 or AVX2 where the CPU has it, `wide`'s portable vectors
//! elsewhere.
//! Each is [`Kernels::serial`](crate::Kernels::serial) with a fixed op.

crate::front::entry_points::entry_points!(crate::Kernels::serial(), "on the calling thread");

/// The per-channel ops (see [`crate::channels`]) on the calling thread.
pub mod channels {
    crate::front::entry_points::channel_entry_points!(
        crate::Kernels::serial(),
        ", on the calling thread"
    );
}
