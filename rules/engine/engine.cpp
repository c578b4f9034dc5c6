// STUB
namespace blastwall { int engine_placeholder = 0; }
