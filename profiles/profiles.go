// Package profiles embeds the built-in device profiles, one YAML file per
// device. Adding a device is adding a file here; no Go code changes.
package profiles

import "embed"

// FS holds every built-in profile (*.yaml).
//
//go:embed *.yaml
var FS embed.FS
