#pragma once
// Holds SIGINT, SIGTERM and SIGHUP while outputs are renamed into place, so a Ctrl-C or a kill
// cannot leave temporaries behind; held signals take effect when the guard ends.
#include <csignal>

namespace csipls::cli {

class SignalsHeld {
public:
    SignalsHeld() {
        sigset_t held;
        sigemptyset(&held);
        sigaddset(&held, SIGINT);
        sigaddset(&held, SIGTERM);
        sigaddset(&held, SIGHUP);
        ::sigprocmask(SIG_BLOCK, &held, &previous_);
    }
    ~SignalsHeld() { ::sigprocmask(SIG_SETMASK, &previous_, nullptr); }
    SignalsHeld(const SignalsHeld&) = delete;
    SignalsHeld& operator=(const SignalsHeld&) = delete;

private:
    sigset_t previous_;
};

}  // namespace csipls::cli
