#include "tl/http/document.hpp"

#include <atomic>

namespace tl::http {

namespace {

std::atomic<std::int64_t> g_deadline_ms{
    std::chrono::duration_cast<std::chrono::milliseconds>(k_default_document_deadline).count()};

}  // namespace

void set_document_deadline(std::chrono::seconds deadline) {
    g_deadline_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline).count();
}

Timeouts document_timeouts(Timeouts t) {
    std::chrono::milliseconds deadline(g_deadline_ms.load());
    if (deadline.count() > 0 && (t.total.count() == 0 || t.total > deadline)) {
        t.total = deadline;
    }
    return t;
}

}  // namespace tl::http
