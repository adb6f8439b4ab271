#include <gtest/gtest.h>

#include "tl/util/base64.hpp"

using tl::util::base64_decode;
using tl::util::base64_encode;

TEST(Base64, RoundTripsEveryPaddingLength) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("ci:s3cret"), "Y2k6czNjcmV0");
    for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "a:\xff\x00z"}) {
        EXPECT_EQ(base64_decode(base64_encode(s)), s) << s;
    }
}

TEST(Base64, RejectsWhatIsNotPaddedBase64) {
    EXPECT_FALSE(base64_decode("Zg="));
    EXPECT_FALSE(base64_decode("Z!==").has_value());
}
