package kernel

import "testing"

func TestCheckEnv(t *testing.T) {
	good := map[string]string{EnvWarmChildren: "0", EnvMemoryLimit: "1G", EnvMaxChildren: "64",
		EnvMaxOutput: "10M", EnvInterruptGrace: "3s", "TMPDIR": "/tmp/x"}
	if err := CheckEnv(good); err != nil {
		t.Errorf("CheckEnv(%v): %v", good, err)
	}
	for _, bad := range []map[string]string{
		{EnvWarmChildren: "65"}, {EnvWarmChildren: "-1"}, {EnvMemoryLimit: "lots"},
		{EnvMaxChildren: "0"}, {EnvInterruptGrace: "2"},
	} {
		if err := CheckEnv(bad); err == nil {
			t.Errorf("CheckEnv(%v): no error", bad)
		}
	}
}
