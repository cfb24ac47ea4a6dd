// Package profiles embeds the built-in device profiles, one YAML file per
// device, and the root stores some devices ship (stores/NAME.yaml, generated
// by stores/gen). Adding a device is adding a file here; no Go code changes.
package profiles

import "embed"

// FS holds every built-in profile (*.yaml).
//
//go:embed *.yaml
var FS embed.FS

// Stores holds the built-in root-store lists (stores/*.yaml) that
// trust.store names.
//
//go:embed stores/*.yaml
var Stores embed.FS
