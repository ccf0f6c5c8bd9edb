//! Panic handler: crossflake-harness prints the panic as Rust does and
//! decides the verdict (a `should_panic` test passes; otherwise exit 101).

use core::panic::PanicInfo;

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    crossflake_harness::handle_panic::<crate::arch::Glue>(info)
}
