//! [`Work`]: what a call that may be shared runs, by ranges of parts.

/// What a shared call runs: `len` elements (or other parts), any range of
/// which one participant can run on its own.
pub(crate) trait Work: Send + Sync + 'static {
    /// The number of parts.
    fn len(&self) -> usize;

    /// Runs the parts `start..start + len`.
    ///
    /// # Safety
    /// `start + len <= self.len()`; no two calls whose ranges overlap run at
    /// once; the data the work stands for is still borrowed by the caller
    /// of the driver that shares it (which returns only after every claimed
    /// range has run).
    unsafe fn run_range(&self, start: usize, len: usize);
}
