// STUB (audit owner replaces).
namespace blastwall::audit { int placeholder = 0; }
