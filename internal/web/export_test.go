package web

// Routes returns the route table (method, path, action) for the tests,
// which walk it whole (the access matrix, the canaries, the API
// description).
func (s *Server) Routes() []route { return append([]route(nil), s.routes...) }
