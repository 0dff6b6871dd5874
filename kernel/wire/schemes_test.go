package wire

import "testing"

// TestSchemes checks each signature scheme against Python's hmac module
// (the values were computed with hmac.new(b"secret", parts, hashlib.X)).
func TestSchemes(t *testing.T) {
	parts := [][]byte{[]byte(`{"h":1}`), []byte(`{}`), []byte(`{}`), []byte(`{"c":2}`)}
	cases := map[string]string{
		"hmac-sha512": "f8eeaff1577b93e31fb2156898804e3e26e335dda3d13ead846f6c78a20ca9acfd1c797946ee4349203d5621375e6a891d3b3b9a82b9c85ea6ebc480415a1596",
		"hmac-sha384": "b2c483e82776ceae3c3e83a2978381946f8b212983398856c72e93054c19e4bad3a77a56f140633b065eecdee654cb39",
		"hmac-sha224": "c6f9ad6cacdb716b01b65e2d0d69a515e6e882f8a3e0fc9724dd9b78",
		"hmac-sha1":   "a1a5c22fc325fc32e79992eddb95de31c91794d7",
		"hmac-md5":    "1395b51520be83d3c240efb59f9d421b",
	}
	for scheme, want := range cases {
		s, err := NewSignerScheme(scheme, []byte("secret"))
		if err != nil {
			t.Fatalf("%s: %v", scheme, err)
		}
		if got := s.Sign(parts...); got != want {
			t.Errorf("%s: %s, want %s", scheme, got, want)
		}
		if err := s.verify([]byte(want), parts...); err != nil {
			t.Errorf("%s: verify: %v", scheme, err)
		}
	}
	if _, err := NewSignerScheme("hmac-whirlpool", nil); err == nil {
		t.Error("an unknown scheme was accepted")
	}
}
