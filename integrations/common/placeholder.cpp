// STUB (integrations room).
namespace blastwall::integrations { int placeholder = 0; }
