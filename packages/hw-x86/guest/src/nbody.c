/*
 * nbody: CPU-bound floating-point benchmark, the classic five-body Jovian
 * simulation (Sun, Jupiter, Saturn, Uranus, Neptune) in double precision:
 * SSE2 arithmetic, square roots and divisions on every step.
 *
 * Prints the energy before and after, as integers in units of 1e-12 (no
 * libc printf here), and checks that it drifts by less than 1e-3 (relative).
 * Usage: nbody [steps, default 500000]
 * Exit status: failed checks.
 */
#include "rt.h"

#define BODIES 5
#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24

struct body {
  double x, y, z, vx, vy, vz, mass;
};

static struct body bodies[BODIES] = {
    {0, 0, 0, 0, 0, 0, SOLAR_MASS},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03 * DAYS_PER_YEAR,
     7.69901118419740425e-03 * DAYS_PER_YEAR, -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03 * DAYS_PER_YEAR,
     4.99852801234917238e-03 * DAYS_PER_YEAR, 2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03 * DAYS_PER_YEAR,
     2.37847173959480950e-03 * DAYS_PER_YEAR, -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03 * DAYS_PER_YEAR,
     1.62824170038242295e-03 * DAYS_PER_YEAR, -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS},
};

static double square_root(double x) {
  double result;
  __asm__("sqrtsd %1, %0" : "=x"(result) : "x"(x));
  return result;
}

static void offset_momentum(void) {
  double px = 0, py = 0, pz = 0;
  for (int i = 0; i < BODIES; i++) {
    px += bodies[i].vx * bodies[i].mass;
    py += bodies[i].vy * bodies[i].mass;
    pz += bodies[i].vz * bodies[i].mass;
  }
  bodies[0].vx = -px / SOLAR_MASS;
  bodies[0].vy = -py / SOLAR_MASS;
  bodies[0].vz = -pz / SOLAR_MASS;
}

static double energy(void) {
  double e = 0;
  for (int i = 0; i < BODIES; i++) {
    struct body *b = &bodies[i];
    e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
    for (int j = i + 1; j < BODIES; j++) {
      struct body *c = &bodies[j];
      double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
      e -= b->mass * c->mass / square_root(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

static void advance(double dt) {
  for (int i = 0; i < BODIES; i++) {
    struct body *b = &bodies[i];
    for (int j = i + 1; j < BODIES; j++) {
      struct body *c = &bodies[j];
      double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
      double distance2 = dx * dx + dy * dy + dz * dz;
      double magnitude = dt / (distance2 * square_root(distance2));
      b->vx -= dx * c->mass * magnitude;
      b->vy -= dy * c->mass * magnitude;
      b->vz -= dz * c->mass * magnitude;
      c->vx += dx * b->mass * magnitude;
      c->vy += dy * b->mass * magnitude;
      c->vz += dz * b->mass * magnitude;
    }
  }
  for (int i = 0; i < BODIES; i++) {
    bodies[i].x += dt * bodies[i].vx;
    bodies[i].y += dt * bodies[i].vy;
    bodies[i].z += dt * bodies[i].vz;
  }
}

/* The energy in units of 1e-12, rounded toward zero (cvttsd2si). */
static i64 picounits(double e) { return (i64)(e * 1e12); }

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 steps = arg_u64(argc, argv, 1, 500000);
  offset_momentum();
  double before = energy();
  print_kv_i64("energy_before_e12", picounits(before));
  for (u64 i = 0; i < steps; i++) advance(0.01);
  double after = energy();
  print_kv_i64("energy_after_e12", picounits(after));
  double drift = (after - before) / before;
  int failed = 0;
  failed += print_check("energy_conserved", drift < 1e-3 && drift > -1e-3);
  failed += print_check("energy_negative", after < 0);
  return failed;
}
