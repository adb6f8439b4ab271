//! Stand-in for the `temporalio-common` crate of Temporal's sdk-core.

/// Identifies this library in tests.
#[no_mangle]
pub extern "C" fn temporalio_common_component_name() -> *const u8 {
    b"temporalio-common\0".as_ptr()
}
