//! A call from a worker of the pool: recursive halving with `rayon::join`,
//! which lets idle workers steal halves and keeps a nested call (a kernel
//! inside the user's own parallel loop) from blocking its worker.

use super::shared::Work;

/// Splits the parts `start..start + len` of `work` into `pieces` pieces
/// and runs them as rayon jobs. Every cut falls on a multiple of `align`
/// parts from `start`, and every piece has at least
/// `(len / align / pieces) * align` parts: the last piece takes the parts
/// past the last whole `align`.
///
/// # Safety
/// As [`Work::run_range`] for the whole range: `start + len` is at most
/// `work.len()`, the data is still borrowed, and no other thread runs an
/// overlapping range.
pub(super) unsafe fn halve<W: Work>(
    work: &W,
    start: usize,
    len: usize,
    pieces: usize,
    align: usize,
) {
    if pieces <= 1 {
        // SAFETY: forwarded contract.
        return unsafe { work.run_range(start, len) };
    }
    let (mid, lo_pieces) = cut(len, pieces, align);
    // SAFETY: the two halves are disjoint and cover the range (forwarded
    // contract); `join` returns after both have run.
    rayon::join(
        || unsafe { halve(work, start, mid, lo_pieces, align) },
        || unsafe { halve(work, start + mid, len - mid, pieces - lo_pieces, align) },
    );
}

/// Where to cut `len` elements bound for `pieces` pieces: after the first
/// `pieces / 2` pieces' share of the whole `align`-element units. Returns
/// the cut and the number of pieces before it. Each side keeps at least its
/// pieces' share of units, rounded down, so the guarantee of [`halve`] holds
/// at every level of the recursion.
fn cut(len: usize, pieces: usize, align: usize) -> (usize, usize) {
    let units = len / align;
    let lo_pieces = pieces / 2;
    let lo_units = (units as u128 * lo_pieces as u128 / pieces as u128) as usize;
    (lo_units * align, lo_pieces)
}

#[cfg(test)]
mod tests {
    use super::cut;

    /// The pieces `halve` would make.
    fn pieces(len: usize, pieces: usize, align: usize, out: &mut Vec<usize>) {
        if pieces <= 1 {
            return out.push(len);
        }
        let (mid, lo) = cut(len, pieces, align);
        self::pieces(mid, lo, align, out);
        self::pieces(len - mid, pieces - lo, align, out);
    }

    #[test]
    fn every_piece_gets_its_share() {
        for align in [1, 8, 16] {
            for count in 1..=13 {
                for len in (0..5000).chain([131_088, (1 << 27) + 5]) {
                    let mut out = Vec::new();
                    pieces(len, count, align, &mut out);
                    assert_eq!(out.len(), count);
                    assert_eq!(out.iter().sum::<usize>(), len);
                    let least = len / align / count * align;
                    assert!(
                        out.iter().all(|&p| p >= least),
                        "{len} {count} {align}: {out:?}"
                    );
                    let cuts = out.iter().scan(0, |at, &p| {
                        *at += p;
                        Some(*at)
                    });
                    assert!(cuts.take(count - 1).all(|c| c % align == 0));
                }
            }
        }
    }

    /// The case that once split unevenly: 128 Ki + 16 `f32` in two pieces.
    #[test]
    fn a_call_at_the_threshold_splits_in_two() {
        let mut out = Vec::new();
        pieces(131_088, 2, 16, &mut out);
        assert_eq!(out, [65_536, 65_552]);
    }
}
