package dev.tieredcache.interceptor;

import java.lang.reflect.Method;
import java.util.function.Supplier;

import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/**
 * Applies the {@link WriteBehindInterceptor} to every method that carries
 * {@link dev.tieredcache.annotation.WriteBehind}, at the order of the other cache
 * annotations. Matching checks the method, so a misplaced annotation fails start-up.
 */
public class WriteBehindAdvisor extends AbstractPointcutAdvisor {

	private final transient MethodInterceptor advice;

	private final transient Pointcut pointcut;

	/**
	 * Creates the advisor.
	 * @param interceptor supplies the interceptor on the first advised call
	 * @param order the advisor's order
	 */
	public WriteBehindAdvisor(Supplier<WriteBehindInterceptor> interceptor, int order) {
		this.advice = new LazyAdvice(interceptor);
		this.pointcut = new StaticMethodMatcherPointcut() {

			@Override
			public boolean matches(Method method, Class<?> targetClass) {
				return WriteBehindInterceptor.matches(method, targetClass);
			}

		};
		setOrder(order);
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.advice;
	}

	/** Resolves the interceptor on first use. */
	private static final class LazyAdvice implements MethodInterceptor {

		private final Supplier<WriteBehindInterceptor> supplier;

		private volatile @Nullable WriteBehindInterceptor interceptor;

		LazyAdvice(Supplier<WriteBehindInterceptor> supplier) {
			this.supplier = supplier;
		}

		@Override
		public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
			WriteBehindInterceptor target = this.interceptor;
			if (target == null) {
				target = this.supplier.get();
				this.interceptor = target;
			}
			return target.invoke(invocation);
		}

	}

}
