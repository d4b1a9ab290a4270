// Package match links records of persons across two lists (Link) or within
// one (Dedupe), across scripts and clerks' habits, and says why.
//
// It is a pure domain engine: values in, values out; no store, no clock, no
// globals. Name normalisation, skeletons and cross-script keys come from
// package names.
//
// # API
//
//	cfg := match.DefaultConfig()                 // handover's person columns
//	left := []match.Record{match.NewRecord(cfg, "a1", map[string]string{
//		"surname": "Ковальчук", "given_name": "Олександр", "birth_date": "1998-05-12"})}
//	res, err := match.Link(left, right, cfg, match.Options{})
//	for _, p := range res.Pairs { // one-to-one, best first
//		fmt.Println(p.LeftID, p.RightID, p.Score, p.Explanation)
//	}
//
// A Record holds an id and raw values in Config.Fields order (or a whole
// name in FullName). Link returns Result.Pairs: each left record with at
// most one right record and the reverse, scoring at least Config.Threshold;
// Dedupe returns the joining pairs and Result.Clusters. Result.Stats counts
// the work (pairs produced by each blocking rule, pairs compared) and
// Result.Model holds the fitted parameters. Every Pair carries an
// Explanation (JSON-ready) with each field's level and weight, the prior
// and the total. Nothing is ever merged: pairs are candidates for a person.
//
// # Model
//
// Each configured field is compared at graded levels (Comparison.Levels:
// for names exact, normalised, equivalent across scripts and
// Ukrainian/Russian forms, similar, close, initial, swapped, different; for
// dates exact, partial, day/month swapped, one digit off, same year,
// different; for codes exact after folding, same digits, one edit,
// different). A pair's match weight is Fellegi–Sunter's: the prior log2
// odds plus, per field, log2(m/u) for the level observed, where m is the
// chance of the level between records of one person and u between records
// of two. u is estimated from random pairs; m by expectation–maximisation
// on the comparison patterns of the candidate pairs (no labels needed),
// both blended with built-in priors so small lists behave. Agreement on a
// common value counts less (term-frequency adjustment, Field.TF). Reviewer
// labels (Config.Labels) refine m.
//
// Score is the match probability 1/(1+2^-weight), where the prior is the
// estimated chance that two records drawn one from each list are the same
// person; it is in 0..1 and DefaultThreshold is 0.5. Config.Apart keeps
// pairs apart whose listed fields all disagree outright (a namesake born in
// another year in another town), whatever the names say.
//
// # Blocking
//
// Only pairs that share a key of at least one blocking rule are compared
// (Config.Blocks, union of rules); keys shared by more than Config.MaxBlock
// right-side records are skipped for that rule. Work grows with the number
// of candidate pairs, near-linearly in the list sizes, and runs on all
// cores.
//
// See docs/design/linkage.md for the configuration format and measured
// figures.
package match
