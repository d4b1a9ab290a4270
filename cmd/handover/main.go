// Command handover is the one binary of the handover system: the server, the
// demo, administration, data import and export, record linkage, signing and
// verification. main stays tiny; the work is in Main.Run so tests can run the
// real program in-process.
package main

import "os"

func main() {
	os.Exit(NewMain().Run(interruptContext(), os.Args[1:]))
}
