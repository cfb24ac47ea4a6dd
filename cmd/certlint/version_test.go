package main

import (
	"runtime/debug"
	"testing"
)

// TestVersionFrom: a release says its version; a build from a checkout
// says devel and the commit, marked dirty with uncommitted changes.
func TestVersionFrom(t *testing.T) {
	vcs := func(rev, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}}
	}
	for _, tt := range []struct {
		ldflags string
		info    *debug.BuildInfo
		want    string
	}{
		{"v1.4.0", vcs("3cd95ab2f0c1d2e3f4a5", "false"), "v1.4.0"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.2"}}, "v1.3.2"},
		{"", vcs("3cd95ab2f0c1d2e3f4a5", "false"), "devel+3cd95ab2f0c1"},
		{"", vcs("3cd95ab2f0c1d2e3f4a5", "true"), "devel+3cd95ab2f0c1-dirty"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
		{"", &debug.BuildInfo{}, "devel"},
	} {
		if got := versionFrom(tt.ldflags, tt.info); got != tt.want {
			t.Errorf("versionFrom(%q, %+v) = %q, want %q", tt.ldflags, tt.info.Main, got, tt.want)
		}
	}
}
