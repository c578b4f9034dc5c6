# INTERFACE targets carrying language settings and warnings (ccache's standard_settings idea).
add_library(blastwall_settings INTERFACE)
target_compile_features(blastwall_settings INTERFACE cxx_std_20)
if(BLASTWALL_SANITIZE)
  target_compile_options(blastwall_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(blastwall_settings INTERFACE -fsanitize=address,undefined)
endif()

add_library(blastwall_warnings INTERFACE)
target_compile_options(blastwall_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(BLASTWALL_WERROR)
  target_compile_options(blastwall_warnings INTERFACE -Werror)
endif()
