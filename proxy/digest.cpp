#include "proxy/digest.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace blastwall::proxy {

std::string canonical_json(const nlohmann::json& value) {
  // nlohmann::json objects are std::map-backed, so dump() already sorts keys. Invalid UTF-8 is
  // replaced rather than thrown on.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(out.size() * 2);
  for (unsigned char b : out) {
    hex.push_back(k_hex[b >> 4]);
    hex.push_back(k_hex[b & 15]);
  }
  return hex;
}

std::string call_digest(std::string_view server, std::string_view tool,
                        const nlohmann::json& arguments) {
  std::string text;
  text.append("blastwall.mcp.call.v1");
  text.push_back('\0');
  text.append(server);
  text.push_back('\0');
  text.append(tool);
  text.push_back('\0');
  text.append(canonical_json(arguments.is_null() ? nlohmann::json::object() : arguments));
  return sha256_hex(text);
}

std::string tool_definition_digest(const nlohmann::json& tool) {
  nlohmann::json def = nlohmann::json::object();
  if (tool.is_object()) {
    for (const char* key :
         {"name", "title", "description", "inputSchema", "outputSchema", "annotations"}) {
      auto it = tool.find(key);
      if (it != tool.end()) def[key] = *it;
    }
  }
  return sha256_hex(canonical_json(def));
}

std::string random_id() {
  static constexpr char k_alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";  // 32, no l/o/0/1
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::array<unsigned char, 10> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string id;
  for (unsigned char b : bytes) id.push_back(k_alphabet[b & 31]);
  return id;
}

nlohmann::json annotations_with_defaults(const nlohmann::json& tool) {
  nlohmann::json out = {{"readOnlyHint", false},
                        {"destructiveHint", true},
                        {"idempotentHint", false},
                        {"openWorldHint", true}};
  if (!tool.is_object()) return out;
  auto it = tool.find("annotations");
  if (it == tool.end() || !it->is_object()) return out;
  for (auto& [key, value] : it->items()) {
    if (out.contains(key)) {
      if (value.is_boolean()) out[key] = value;
    } else {
      out[key] = value;  // title and future hints pass through
    }
  }
  return out;
}

}  // namespace blastwall::proxy
