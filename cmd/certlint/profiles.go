package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/certlint/certlint/pkg/constraints"
	"github.com/certlint/certlint/pkg/report"
)

func newProfilesCmd() *cobra.Command {
	var profileFiles []string
	var output string
	// Plain `certlint profiles` lists, like `certlint profiles list`.
	list := func(cmd *cobra.Command, _ []string) error {
		if err := textOrJSON(output); err != nil {
			return err
		}
		reg, err := loadRegistry(profileFiles)
		if err != nil {
			return err
		}
		profiles, err := reg.Select(nil) // every profile, newest firmware
		if err != nil {
			return err
		}
		if output == "json" {
			return report.WriteProfilesJSON(cmd.OutOrStdout(), profiles)
		}
		return report.WriteProfiles(cmd.OutOrStdout(), profiles)
	}
	cmd := &cobra.Command{
		Use:   "profiles",
		Short: "List, show and validate device profiles",
		Long: `Device profiles hold what certlint knows about each device: TLS versions and
cipher suites it offers, the certificate sizes and keys it can process, how
it finds its trust anchor, and where each fact comes from, with a confidence.`,
		Example: `  certlint profiles
  certlint profiles show spwf04
  certlint profiles show spwf04@1.0
  certlint profiles validate examples/myboard.yaml`,
		Args: cobra.NoArgs,
		RunE: list,
	}
	cmd.PersistentFlags().StringArrayVar(&profileFiles, "profile-file", nil, "also load a custom profile from `FILE` (repeatable)")
	listCmd := &cobra.Command{
		Use:     "list",
		Short:   "List the device profiles",
		Example: "  certlint profiles list -o json",
		Args:    cobra.NoArgs,
		RunE:    list,
	}
	showCmd := &cobra.Command{
		Use:   "show ID[@FIRMWARE]",
		Short: "Print every limit of a profile with its source and confidence",
		Example: `  certlint profiles show spwf04@1.0
  certlint profiles show wipy -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeDevices,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := textOrJSON(output); err != nil {
				return err
			}
			reg, err := loadRegistry(profileFiles)
			if err != nil {
				return err
			}
			p, err := reg.Get(args[0])
			if err != nil {
				return err
			}
			if output == "json" {
				return report.WriteProfileJSON(cmd.OutOrStdout(), p)
			}
			return report.WriteProfile(cmd.OutOrStdout(), p)
		},
	}
	for _, c := range []*cobra.Command{cmd, listCmd, showCmd} {
		c.Flags().StringVarP(&output, "output", "o", "text", "output `FORMAT`: text or json")
		_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	}
	cmd.AddCommand(listCmd, showCmd, &cobra.Command{
		Use:     "validate FILE...",
		Short:   "Check custom profile files; every problem is shown as file:line:column",
		Example: "  certlint profiles validate examples/myboard.yaml",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := constraints.LoadBuiltin()
			if err != nil {
				return err
			}
			bad := 0
			for _, file := range args {
				if err := reg.ValidateFile(file); err != nil {
					var problems constraints.ProfileErrors
					if errors.As(err, &problems) {
						fmt.Fprintln(cmd.ErrOrStderr(), err) // file:line:column: problem, one per line
					} else {
						fmt.Fprintf(cmd.ErrOrStderr(), "certlint: %v\n", err)
					}
					bad++
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", file)
			}
			if bad > 0 {
				return exitCodeError{exitError}
			}
			return nil
		},
	}, &cobra.Command{
		Use:     "store NAME",
		Short:   "List the roots of a built-in root store (trust.store): subject, key, expiry, SPKI SHA-256",
		Example: "  certlint profiles store nina-roots",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := constraints.LoadStore(args[0])
			if err != nil {
				return err
			}
			return report.WriteRootStore(cmd.OutOrStdout(), s)
		},
	})
	return cmd
}

func loadRegistry(files []string) (*constraints.Registry, error) {
	reg, err := constraints.LoadBuiltin()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := reg.AddFile(f); err != nil {
			return nil, constraints.OneLine(err)
		}
	}
	return reg, nil
}

// textOrJSON accepts the -o values of commands that print text or JSON.
func textOrJSON(format string) error {
	if format != "text" && format != "json" {
		return fmt.Errorf("--output %q: want text or json", format)
	}
	return nil
}
