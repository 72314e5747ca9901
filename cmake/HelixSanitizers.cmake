# Sanitizers apply to everything built here, plugins included, so that
# memory crossing the plugin ABI is checked on both sides.
if(HELIX_SANITIZE_ADDRESS)
  # GCC 12's -Wmaybe-uninitialized misfires under -fsanitize=address on
  # Boost.Beast's basic_parser::content_length_remaining() (an optional
  # returned as boost::none); the default build keeps the warning.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
                      -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
endif()
if(HELIX_SANITIZE_THREAD)
  # GCC 12 warns (-Wtsan, an error under -Werror) that TSan does not model
  # std::atomic_thread_fence, which Boost.Asio's std_fenced_block uses; the
  # fence only matters on that path, and TSan still sees Asio's mutexes.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
endif()
