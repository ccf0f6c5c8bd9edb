//! Global allocator: a lock-free bump allocator over the heap region the
//! linker script reserves (`__heap_start..__heap_end`). Freeing the most
//! recent allocation gives its memory back; other frees are leaks, which is
//! fine for short-lived test kernels.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr;
use core::sync::atomic::{AtomicUsize, Ordering};

unsafe extern "C" {
    static __heap_start: u8;
    static __heap_end: u8;
}

/// The bump allocator; `next == end == 0` until [`init`] runs.
pub struct BumpAllocator {
    next: AtomicUsize,
    end: AtomicUsize,
}

#[global_allocator]
static ALLOCATOR: BumpAllocator = BumpAllocator { next: AtomicUsize::new(0), end: AtomicUsize::new(0) };

/// Points the allocator at the linker-reserved heap; called once at boot.
pub(crate) fn init() {
    let start = (&raw const __heap_start) as usize;
    let end = (&raw const __heap_end) as usize;
    ALLOCATOR.next.store(start, Ordering::Relaxed);
    ALLOCATOR.end.store(end, Ordering::Release);
}

/// Bytes handed out so far (including leaked ones).
pub fn used() -> usize {
    ALLOCATOR.next.load(Ordering::Relaxed) - (&raw const __heap_start) as usize
}

/// Total heap size in bytes.
pub fn size() -> usize {
    (&raw const __heap_end) as usize - (&raw const __heap_start) as usize
}

unsafe impl GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let end = self.end.load(Ordering::Acquire);
        let mut next = self.next.load(Ordering::Relaxed);
        loop {
            let Some(start) = next.checked_next_multiple_of(layout.align()) else {
                return ptr::null_mut();
            };
            let new_next = match start.checked_add(layout.size()) {
                Some(n) if n <= end => n,
                _ => return ptr::null_mut(),
            };
            match self.next.compare_exchange_weak(next, new_next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return start as *mut u8,
                Err(current) => next = current,
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // Roll back only if this was the last allocation; otherwise leak.
        let block_end = ptr as usize + layout.size();
        let _ = self.next.compare_exchange(block_end, ptr as usize, Ordering::Relaxed, Ordering::Relaxed);
    }
}
