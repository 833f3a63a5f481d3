// Command dashboard-check reads Grafana dashboard JSON files strictly with the Grafana Foundation SDK (Apache-2.0):
// unknown fields, wrong types, bad panel options and unknown Prometheus target fields are errors. It prints one line
// per file and exits 1 if any file fails. Grafana itself is not used.
package main

import (
	"fmt"
	"os"

	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dashboard-check FILE.json...")
		os.Exit(2)
	}
	plugins.RegisterDefaultPlugins()
	failed := false
	for _, path := range os.Args[1:] {
		if err := check(path); err != nil {
			failed = true
			fmt.Printf("FAIL %s: %s\n", path, err)
		} else {
			fmt.Printf("ok   %s\n", path)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func check(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var d dashboard.Dashboard
	// The SDK returns a typed nil error value on success: compare its text, not the interface, with nil.
	if err := d.UnmarshalJSONStrict(raw); err != nil && err.Error() != "" {
		return fmt.Errorf("strict reading: %w", err)
	}
	if err := d.Validate(); err != nil && err.Error() != "" {
		return fmt.Errorf("validation: %w", err)
	}
	return nil
}
