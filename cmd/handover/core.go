package main

// coreCommands lists the foundation's commands (init, serve, demo, user,
// token, record).
func coreCommands() []command {
	return nil
}
