package pairs

import "fmt"

// What only the tests call, kept out of the program.

// worldString is the person's name for messages and tests.
func (w *worldName) String() string {
	_, _, _, full := worldParts(w, styleRU, 0)
	return fmt.Sprintf("%s (%s)", full, w.c.name)
}
