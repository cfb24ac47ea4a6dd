package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

// completeDevices completes device selectors: every profile ID, its
// variants (ID@FIRMWARE) and aliases, those of the --profile-file profiles
// already on the command line too; after a comma, the next one of a list
// (-d spwf04,cc3200).
func completeDevices(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	reg, err := completionRegistry(cmd)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	prefix, word := "", toComplete
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		prefix, word = toComplete[:i+1], toComplete[i+1:]
	}
	var out []string
	if strings.HasPrefix("all", word) {
		out = append(out, prefix+"all\tevery profile, newest firmware")
	}
	for _, id := range reg.IDs() {
		p, err := reg.Get(id)
		if err != nil {
			continue
		}
		names := append([]string{id}, p.Aliases...)
		for _, v := range p.Variants {
			names = append(names, id+"@"+v)
		}
		for _, n := range names {
			if strings.HasPrefix(n, strings.ToLower(word)) {
				out = append(out, prefix+n+"\t"+p.Name)
			}
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completionRegistry is the built-in profiles plus every --profile-file
// given so far that loads. A file that does not load is left out rather
// than failing the completion: the command itself reports it.
func completionRegistry(cmd *cobra.Command) (*constraints.Registry, error) {
	reg, err := constraints.LoadBuiltin()
	if err != nil {
		return nil, err
	}
	files, _ := cmd.Flags().GetStringArray("profile-file")
	for _, f := range files {
		_ = reg.AddFile(f)
	}
	return reg, nil
}

// setupCompletion wires completion: device IDs for -d, formats for -o,
// and a clear refusal of shells cobra cannot complete (tcsh).
func setupCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "check":
			_ = c.RegisterFlagCompletionFunc("device", completeDevices)
			_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(report.Formats(), cobra.ShellCompDirectiveNoFileComp))
			_ = c.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"fail", "warn"}, cobra.ShellCompDirectiveNoFileComp))
		case "root", "explain":
			_ = c.RegisterFlagCompletionFunc("device", completeDevices)
			_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
		case "completion":
			var shells []string
			for _, s := range c.Commands() {
				shells = append(shells, s.Name())
			}
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return fmt.Errorf("give a shell: certlint completion %s", strings.Join(shells, "|"))
				}
				return fmt.Errorf("completion %q: certlint completes %s only", args[0], strings.Join(shells, ", "))
			}
		}
	}
}
