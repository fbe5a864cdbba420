package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// envAnnotation marks a flag the environment may fill.
const envAnnotation = "mvh-env"

// Environment variables for secrets and tokens, so that they need not be
// typed where `ps` and shell history show them.
const (
	envSecret = "MVH_SECRET" // webhook secrets; a comma list for repeatable flags
	envToken  = "MVH_TOKEN"  // the mock's and the inbox's bearer token
)

// fromEnv lets the environment variable name fill the flags of cmd when
// they are not given; the flag wins over the environment. The flag's help
// says so.
func fromEnv(cmd *cobra.Command, name string, flags ...string) {
	for _, fl := range flags {
		f := cmd.Flags().Lookup(fl)
		if f == nil {
			panic(fmt.Sprintf("fromEnv: %s has no flag --%s", cmd.Name(), fl))
		}
		_ = cmd.Flags().SetAnnotation(fl, envAnnotation, []string{name})
		list := ""
		if repeatable(f) {
			list = ", a comma-separated list"
		}
		f.Usage += fmt.Sprintf(" (env %s%s)", name, list)
	}
}

// applyEnv fills every annotated flag of cmd that was not given from its
// environment variable. A repeatable flag takes a comma-separated list, one
// value per entry; an empty variable counts as unset.
func applyEnv(cmd *cobra.Command, getenv func(string) string) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		names := f.Annotations[envAnnotation]
		if err != nil || f.Changed || len(names) == 0 {
			return
		}
		v := getenv(names[0])
		if v == "" {
			return
		}
		values := []string{v}
		if repeatable(f) {
			values = strings.Split(v, ",")
		}
		for _, x := range values {
			if e := f.Value.Set(strings.TrimSpace(x)); e != nil {
				err = usagef("$%s: %v", names[0], e)
				return
			}
		}
	})
	return err
}

func repeatable(f *pflag.Flag) bool {
	t := f.Value.Type()
	return t == "stringArray" || t == "stringSlice"
}
